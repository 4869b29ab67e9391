import type { DeliveryItem, DeliveryPage } from '@minke/contract';
import type { NotificationSource } from '../../notifications/local-notifications.js';
import type { ApiClient } from './api-client.js';

/** `minke notifications --server`: the server's channels and log; a test sent by the server. */
export function remoteNotifications(client: ApiClient): NotificationSource {
  return {
    channels: async () =>
      (
        await client.get<{ items: Awaited<ReturnType<NotificationSource['channels']>> }>(
          '/api/notifications/channels',
        )
      ).items,
    async test(channel) {
      const { delivery } = await client.post<{ delivery: DeliveryItem }>(
        `/api/notifications/channels/${encodeURIComponent(channel)}/test`,
      );
      // The server's sender takes it within a second or so: wait for the first attempt (bounded).
      for (let i = 0; i < 60; i++) {
        const page = await client.get<DeliveryPage>('/api/notifications/deliveries', {
          channel,
          limit: 20,
        });
        const now = page.items.find((item) => item.id === delivery.id);
        if (now && now.attempts > 0) return now;
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      return delivery;
    },
    deliveries: (query) =>
      client.get<DeliveryPage>('/api/notifications/deliveries', {
        channel: query.channel,
        run: query.run,
        state: query.state,
        limit: query.limit,
        offset: query.offset,
      }),
  };
}
