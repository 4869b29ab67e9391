import { credentialReaderOf } from '../credentials/credential-reader.js';
import type { EventBus } from '../events/event-bus.js';
import type { Logger } from '../logger.js';
import type { Project } from '../operations/project.js';
import { DeliverySender } from './delivery-sender.js';
import { notificationsOf } from './notification-settings.js';
import { Notifier } from './notifier.js';

export interface RunningNotifications {
  notifier: Notifier;
  close(): Promise<void>;
}

/** The notifier of a project (rules and channels from its config), for edges and hooks. */
export function notifierOf(project: Project, logger: Logger, queued?: () => void): Notifier {
  const settings = notificationsOf(project.config.notifications, project.config.configFile);
  return new Notifier({
    database: project.database,
    settings,
    logger,
    ...(queued ? { queued } : {}),
  });
}

/**
 * A server's notifications: every `run.finished` on the bus becomes deliveries by the rules, and
 * a sender works through the delivery log (retries included). Every server runs one; a run's
 * delivery to a channel is queued once and sent by one of them.
 */
export function startNotifications(
  project: Project,
  bus: EventBus,
  logger: Logger,
  options: { intervalMs?: number; retryBaseMs?: number; maxAttempts?: number } = {},
): RunningNotifications {
  const settings = notificationsOf(project.config.notifications, project.config.configFile);
  const reader = credentialReaderOf(project);
  // The notifier kicks the sender it feeds, made just after it.
  const senderRef: { current?: DeliverySender } = {};
  const notifier = new Notifier({
    database: project.database,
    settings,
    logger,
    queued: () => senderRef.current?.kick(),
  });
  const sender = new DeliverySender({
    store: notifier.store,
    settings,
    passwords: (name) => reader.password(name),
    logger,
    ...options,
  });
  senderRef.current = sender;
  const pending = new Set<Promise<unknown>>();
  const unsubscribe =
    settings.channels.size === 0
      ? () => undefined
      : bus.subscribe((event) => {
          if (event.type !== 'run.finished') return;
          const work = notifier.runFinished(event.runId).catch((error: unknown) =>
            // A notification problem never touches the run: it is logged, the run stays as it is.
            logger.warn({ err: error, runId: event.runId }, 'notifications: run not notified'),
          );
          pending.add(work);
          void work.finally(() => pending.delete(work));
        });
  return {
    notifier,
    async close() {
      unsubscribe();
      await Promise.allSettled([...pending]);
      await sender.close();
    },
  };
}
