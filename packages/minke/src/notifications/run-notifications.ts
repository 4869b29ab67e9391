import type { DeliveryItem } from '@minke/contract';
import type { Logger } from '../logger.js';
import type { Notifier } from './notifier.js';

/**
 * A finished run's notifications, for whoever may see the run (its user, superusers). The rules'
 * deliveries are queued first if no server has queued them yet (the server that heard the run may
 * not have got to it): a run's message to a channel is queued once, so this changes nothing a
 * server did, and a reader asking right after the run's end sees what it will get. Only a
 * superuser reads each delivery's last error, which can name a webhook's secret address.
 */
export async function runNotifications(
  notifier: Notifier,
  logger: Logger,
  run: { id: number; finished: boolean },
  showErrors: boolean,
): Promise<DeliveryItem[]> {
  if (!run.finished || notifier.settings.channels.size === 0) return [];
  await notifier.runFinished(run.id).catch((error: unknown) =>
    // As on the bus: a notification problem is logged, the reader still sees what is there.
    logger.warn({ err: error, runId: run.id }, 'notifications: run not notified'),
  );
  const { items } = await notifier.store.list({ run: run.id, limit: 100 });
  return showErrors ? items : items.map((item) => ({ ...item, lastError: null }));
}
