import { Chip, Table, TableBody, TableCell, TableHead, TableRow } from '@mui/material';
import { Link } from 'react-router-dom';
import type { DeliveryItem, DeliveryState } from '@minke/contract';

const STATE_COLORS: Record<DeliveryState, 'default' | 'info' | 'success' | 'error'> = {
  pending: 'default',
  retrying: 'info',
  delivered: 'success',
  failed: 'error',
};

/** The delivery log: what was sent where, how many attempts, and the last error. */
export function DeliveryLog({ items }: { items: DeliveryItem[] }) {
  return (
    <Table size="small" data-testid="delivery-log">
      <TableHead>
        <TableRow>
          <TableCell>#</TableCell>
          <TableCell>Created</TableCell>
          <TableCell>Channel</TableCell>
          <TableCell>Event</TableCell>
          <TableCell>Run</TableCell>
          <TableCell>Subject</TableCell>
          <TableCell>State</TableCell>
          <TableCell>Attempts</TableCell>
          <TableCell>Last error</TableCell>
        </TableRow>
      </TableHead>
      <TableBody>
        {items.map((d) => (
          <TableRow key={d.id} data-delivery={d.id} data-state={d.state}>
            <TableCell>{d.id}</TableCell>
            <TableCell>{new Date(d.createdAt).toLocaleString()}</TableCell>
            <TableCell>{d.channel}</TableCell>
            <TableCell>{d.event}</TableCell>
            <TableCell>
              {d.runId ? <Link to={`/runs/${d.runId}/show`}>#{d.runId}</Link> : '—'}
            </TableCell>
            <TableCell>{d.subject}</TableCell>
            <TableCell>
              <Chip size="small" color={STATE_COLORS[d.state]} label={d.state} />
            </TableCell>
            <TableCell>{d.attempts}</TableCell>
            <TableCell>{d.lastError ?? ''}</TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}
