import { useEffect, useState } from 'react';
import { Title, useNotify } from 'react-admin';
import type { ChannelInfo, DeliveryItem, DeliveryPage } from '@minke/contract';
import { api } from '../api/http.js';
import { useApiQuery } from '../facts/use-api-query.js';
import { ApiListCard } from '../layout/api-list-page.js';
import { PageColumn } from '../layout/page-column.js';
import { channelColumns } from './channel-table.js';
import { deliveryColumns } from './delivery-log.js';

/**
 * Notifications (superusers): the channels from minke.config.ts with "Send test", and the
 * delivery log, re-read every 3 s so retries and failures show as they happen.
 */
export function NotificationsPage() {
  const notify = useNotify();
  const channels = useApiQuery<{ items: ChannelInfo[] }>('/api/notifications/channels');
  const log = useApiQuery<DeliveryPage>('/api/notifications/deliveries', { limit: 100 });
  const { reload } = log;
  useEffect(() => {
    const timer = setInterval(reload, 3000);
    return () => clearInterval(timer);
  }, [reload]);
  const [columns] = useState(() =>
    channelColumns((name) => {
      api<{ delivery: DeliveryItem }>(
        `/api/notifications/channels/${encodeURIComponent(name)}/test`,
        { method: 'POST' },
      ).then(
        ({ delivery }) => {
          notify(`Test ${delivery.id} queued for ${name}`, { type: 'info' });
          reload();
        },
        (e: unknown) => notify((e as Error).message, { type: 'error' }),
      );
    }),
  );
  return (
    <PageColumn testId="notifications-page">
      <Title title="Notifications" />
      <ApiListCard
        heading="Channels"
        request={channels}
        rows={channels.data?.items}
        columns={columns}
        rowKey={(channel) => channel.name}
        rowData={(channel) => ({ 'data-channel': channel.name })}
        testId="channels"
        label="Channels"
        empty="No channels: add them under notifications in minke.config.ts."
      />
      <ApiListCard
        heading="Delivery log"
        // Re-read every 3 s: the bar only until the first reply, so the log does not blink.
        request={{ loading: log.loading && !log.data, error: log.error }}
        rows={log.data?.items}
        columns={deliveryColumns}
        rowKey={(d) => d.id}
        rowData={(d) => ({ 'data-delivery': d.id, 'data-state': d.state })}
        testId="delivery-log"
        label="Delivery log"
        empty="Nothing sent yet: a run that a rule names, or Send test, puts a delivery here."
      />
    </PageColumn>
  );
}
