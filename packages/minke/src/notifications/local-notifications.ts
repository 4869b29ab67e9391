import type { ChannelInfo, DeliveriesQuery, DeliveryItem, DeliveryPage } from '@minke/contract';
import type { Logger } from '../logger.js';
import type { Project } from '../operations/project.js';
import { channelsOf } from './channel-list.js';
import { sendQueuedNow } from './send-queued-now.js';
import { notifierOf } from './start-notifications.js';

/** What `minke notifications` reads and does, on a project or (remote) through a server. */
export interface NotificationSource {
  channels(): Promise<ChannelInfo[]>;
  /** Queues a test and waits (bounded) for its first attempt; returns the delivery as it stands. */
  test(channel: string, by: string): Promise<DeliveryItem>;
  deliveries(query: DeliveriesQuery): Promise<DeliveryPage>;
}

/** On the project's database: a test is sent from this process at once (no server needed). */
export function localNotifications(project: Project, logger: Logger): NotificationSource {
  const notifier = notifierOf(project, logger);
  return {
    channels: () => Promise.resolve(channelsOf(notifier.settings)),
    async test(channel, by) {
      const queued = await notifier.test(channel, by);
      await sendQueuedNow(project, notifier, logger);
      return (await notifier.store.get(queued.id)) ?? queued;
    },
    deliveries: (query) => notifier.store.list(query),
  };
}
