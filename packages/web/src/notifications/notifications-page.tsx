import { Alert, Box, Card, CardContent, LinearProgress, Typography } from '@mui/material';
import { useEffect } from 'react';
import { Title } from 'react-admin';
import type { ChannelInfo, DeliveryPage } from '@minke/contract';
import { useApiQuery } from '../facts/use-api-query.js';
import { ChannelTable } from './channel-table.js';
import { DeliveryLog } from './delivery-log.js';

/**
 * Notifications (superusers): the channels from minke.config.ts with "Send test", and the
 * delivery log, re-read every 3 s so retries and failures show as they happen.
 */
export function NotificationsPage() {
  const channels = useApiQuery<{ items: ChannelInfo[] }>('/api/notifications/channels');
  const log = useApiQuery<DeliveryPage>('/api/notifications/deliveries', { limit: 100 });
  const { reload } = log;
  useEffect(() => {
    const timer = setInterval(reload, 3000);
    return () => clearInterval(timer);
  }, [reload]);
  return (
    <Box sx={{ mt: 2 }} data-testid="notifications-page">
      <Title title="Notifications" />
      <Card sx={{ mb: 2 }}>
        <CardContent>
          <Typography variant="h6">Channels</Typography>
          {channels.error ? <Alert severity="error">{channels.error}</Alert> : null}
          {!channels.data && !channels.error ? <LinearProgress /> : null}
          {channels.data?.items.length === 0 ? (
            <Alert severity="info">
              No channels: add them under notifications in minke.config.ts.
            </Alert>
          ) : null}
          {channels.data?.items.length ? (
            <ChannelTable channels={channels.data.items} onSent={reload} />
          ) : null}
        </CardContent>
      </Card>
      <Card>
        <CardContent>
          <Typography variant="h6">Delivery log</Typography>
          {log.error ? <Alert severity="error">{log.error}</Alert> : null}
          {log.data?.items.length === 0 ? <Alert severity="info">Nothing sent yet.</Alert> : null}
          {log.data?.items.length ? <DeliveryLog items={log.data.items} /> : null}
        </CardContent>
      </Card>
    </Box>
  );
}
