import { credentialReaderOf } from '../credentials/credential-reader.js';
import type { Logger } from '../logger.js';
import type { Project } from '../operations/project.js';
import { DeliverySender } from './delivery-sender.js';
import type { Notifier } from './notifier.js';

/**
 * One attempt, now, at what is queued (of one run, or all): for a CLI process that queued a
 * message and exits, with no server's sender to wait for. What fails stays queued for a server.
 */
export async function sendQueuedNow(
  project: Project,
  notifier: Notifier,
  logger: Logger,
  runId?: number,
): Promise<void> {
  const reader = credentialReaderOf(project);
  const sender = new DeliverySender({
    store: notifier.store,
    settings: notifier.settings,
    passwords: (name) => reader.password(name),
    logger,
    ...(runId === undefined ? {} : { runId }),
    // One pass, now; the timer never fires before close.
    intervalMs: 3_600_000,
  });
  try {
    await sender.sendNow();
  } finally {
    await sender.close();
  }
}
