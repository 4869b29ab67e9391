import { Chip } from '@mui/material';
import type { DeliveryItem, DeliveryState } from '@minke/contract';
import type { ApiColumn } from '../layout/api-table.js';

/** A delivery state's colour, in the log and on a run's page. */
export const DELIVERY_STATE_COLORS: Record<
  DeliveryState,
  'default' | 'info' | 'success' | 'error'
> = {
  pending: 'default',
  retrying: 'info',
  delivered: 'success',
  failed: 'error',
};

/** The delivery log's columns: what was sent where, how many attempts, and the last error. */
export const deliveryColumns: ApiColumn<DeliveryItem>[] = [
  { label: '#', cell: (d) => d.id, sortBy: (d) => d.id },
  {
    label: 'Created',
    cell: (d) => new Date(d.createdAt).toLocaleString(),
    sortBy: (d) => d.createdAt,
  },
  { label: 'Channel', cell: (d) => d.channel, sortBy: (d) => d.channel },
  { label: 'Event', cell: (d) => d.event, sortBy: (d) => d.event },
  {
    label: 'Run',
    cell: (d) => (d.runId ? `#${d.runId}` : '—'),
    link: (d) => (d.runId ? `/runs/${d.runId}/show` : null),
    sortBy: (d) => d.runId,
  },
  { label: 'Subject', cell: (d) => d.subject },
  {
    label: 'State',
    cell: (d) => <Chip size="small" color={DELIVERY_STATE_COLORS[d.state]} label={d.state} />,
    sortBy: (d) => d.state,
  },
  { label: 'Attempts', cell: (d) => d.attempts, sortBy: (d) => d.attempts },
  { label: 'Last error', cell: (d) => d.lastError ?? '' },
];
