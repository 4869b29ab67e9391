import { useEffect } from 'react';
import { Chip, Stack, Tooltip, Typography } from '@mui/material';
import type { DeliveryItem, RunNotificationsReply } from '@minke/contract';
import { useApiQuery } from '../facts/use-api-query.js';
import { DELIVERY_STATE_COLORS } from '../notifications/delivery-log.js';

/** How often the line is read again while a delivery has not had its first attempt. */
const PENDING_POLL_MS = 2000;
/** Reads while pending, at the most (a minute): the delivery log has the rest. */
const MAX_PENDING_READS = 30;

/**
 * What became of a finished run's notifications, a chip per channel in its delivery state (the
 * delivery log's colours); the last error on hover for superusers. Nothing while the run goes,
 * nor for a run no rule sends.
 */
export function RunNotifications({ runId, finished }: { runId: number; finished: boolean }) {
  const { data, reload } = useApiQuery<RunNotificationsReply>(
    finished ? `/api/runs/${runId}/notifications` : null,
  );
  const items = data?.items ?? [];
  const pending = items.some((item) => item.state === 'pending');
  useEffect(() => {
    if (!pending) return;
    let reads = 0;
    const timer = setInterval(() => {
      if (++reads > MAX_PENDING_READS) clearInterval(timer);
      else reload();
    }, PENDING_POLL_MS);
    return () => clearInterval(timer);
  }, [pending, reload]);
  if (items.length === 0) return null;
  return (
    <Stack
      direction="row"
      spacing={1}
      sx={{ alignItems: 'center', mb: 2, flexWrap: 'wrap' }}
      data-testid="run-notifications"
    >
      <Typography variant="body2" color="text.secondary">
        Notifications
      </Typography>
      {items.map((item) => (
        <Tooltip key={item.id} title={item.lastError ?? ''}>
          <Chip
            size="small"
            variant="outlined"
            color={DELIVERY_STATE_COLORS[item.state]}
            label={deliveryLabel(item)}
            data-state={item.state}
          />
        </Tooltip>
      ))}
    </Stack>
  );
}

function deliveryLabel(item: DeliveryItem): string {
  return `${item.channel} · ${item.event} · ${item.state}`;
}
