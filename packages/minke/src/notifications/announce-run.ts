import type { DeliveryItem } from '@minke/contract';
import type { Logger } from '../logger.js';
import type { Project } from '../operations/project.js';
import { afterFirstAttempts } from './delivery-lines.js';
import { sendQueuedNow } from './send-queued-now.js';
import { notifierOf } from './start-notifications.js';

/**
 * For a run made in a CLI process (`minke run`, `minke jobs run` without a server): no server
 * hears that it finished, so the process that ran it queues its notifications by the rules (the
 * project's and its job's) and makes one attempt at each before it exits. What is not delivered
 * stays in the delivery log as `retrying`, where any server's sender tries it again later. A
 * server that did hear the run queues nothing more: a run's message to a channel is queued once.
 * Never throws: a notification problem never changes the run's outcome.
 *
 * @example const deliveries = await announceRun(project, logger, runId);
 */
export async function announceRun(
  project: Project,
  logger: Logger,
  runId: number,
): Promise<DeliveryItem[]> {
  try {
    const notifier = notifierOf(project, logger);
    if (notifier.settings.channels.size === 0) return [];
    if ((await notifier.runFinished(runId)) > 0) {
      await sendQueuedNow(project, notifier, logger, runId);
    }
    // A server that heard the run may hold a delivery's attempt: wait for it (bounded).
    return await afterFirstAttempts(
      async () => (await notifier.store.list({ run: runId, limit: 100 })).items,
    );
  } catch (error) {
    logger.warn({ err: error, runId }, 'notifications: run not notified');
    return [];
  }
}
