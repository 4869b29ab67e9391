import type { DeliveryItem } from '@minke/contract';
import type { Logger } from '../logger.js';
import type { Notifier } from './notifier.js';

/**
 * How long after a run's end a reader's request may still queue its notifications: long enough
 * for the race it closes (a reader asking before the server that heard the run got to it), short
 * enough that opening an old run's page never sends news of it to a channel made since.
 */
const QUEUE_WINDOW_MS = 5 * 60_000;

/**
 * A finished run's notifications, for whoever may see the run (its user, superusers). Right
 * after the run's end, the rules' deliveries are queued first if no server has queued them yet:
 * a run's message to a channel is queued once, so this changes nothing a server did, and a
 * reader asking at once sees what it will get. Only a superuser reads each delivery's last
 * error, which can name a webhook's secret address.
 */
export async function runNotifications(
  notifier: Notifier,
  logger: Logger,
  run: { id: number; finishedAt: string | null },
  showErrors: boolean,
  now = Date.now(),
): Promise<DeliveryItem[]> {
  if (run.finishedAt === null || notifier.settings.channels.size === 0) return [];
  if (now - Date.parse(run.finishedAt) < QUEUE_WINDOW_MS)
    await notifier.runFinished(run.id).catch((error: unknown) =>
      // As on the bus: a notification problem is logged, the reader still sees what is there.
      logger.warn({ err: error, runId: run.id }, 'notifications: run not notified'),
    );
  const { items } = await notifier.store.list({ run: run.id, limit: 100 });
  return showErrors ? items : items.map((item) => ({ ...item, lastError: null }));
}
