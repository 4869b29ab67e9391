import { useState } from 'react';
import {
  Alert,
  Box,
  LinearProgress,
  MenuItem,
  TextField,
  Tooltip,
  Typography,
} from '@mui/material';
import type { FactChangesPage } from '@minke/contract';
import { shorten } from '../data/value-text.js';
import { ApiTable, usePaging, type ApiColumn } from '../layout/api-table.js';
import type { FactPathProps } from './fact-path.js';
import { timeAgo } from './relative-time.js';
import { useApiQuery } from './use-api-query.js';

const PERIODS = [1, 7, 30, 90] as const;

function shown(value: string | null): string {
  return value === null ? '—' : shorten(value, 80);
}

type FactChange = FactChangesPage['items'][number];

const COLUMNS: readonly ApiColumn<FactChange>[] = [
  { label: 'Host', cell: (change) => change.host },
  {
    label: 'When',
    cell: (change) => (
      <Tooltip title={new Date(change.at).toLocaleString()}>
        <span>{timeAgo(change.at)}</span>
      </Tooltip>
    ),
  },
  {
    label: 'Before',
    cell: (change) => shown(change.before),
    sx: { fontFamily: 'monospace' },
    cellData: { 'data-before': true },
  },
  {
    label: 'After',
    cell: (change) => shown(change.after),
    sx: { fontFamily: 'monospace' },
    cellData: { 'data-after': true },
  },
];

/** The hosts whose value at a fact path changed in the last N days: before → after, newest first. */
export function FactChangesList({ factPath, plugin, path }: FactPathProps) {
  const [days, setDays] = useState<number>(7);
  const paging = usePaging(10, [10, 25, 50]);
  const changes = useApiQuery<FactChangesPage>('/api/facts/changes', {
    plugin,
    path,
    days,
    ...paging.query,
  });
  return (
    <Box data-testid="fact-changes-list" data-path={factPath}>
      <Box sx={{ display: 'flex', alignItems: 'center', gap: 1, mb: 1 }}>
        <Typography variant="subtitle2" sx={{ whiteSpace: 'nowrap' }}>
          Changed in the last
        </Typography>
        <TextField
          select
          size="small"
          fullWidth={false}
          sx={{ minWidth: 120 }}
          value={days}
          onChange={(event) => {
            setDays(Number(event.target.value));
            paging.restart();
          }}
          slotProps={{ htmlInput: { 'aria-label': 'days' } }}
        >
          {PERIODS.map((period) => (
            <MenuItem key={period} value={period}>
              {period === 1 ? 'day' : `${period} days`}
            </MenuItem>
          ))}
        </TextField>
      </Box>
      {changes.error ? <Alert severity="error">{changes.error}</Alert> : null}
      {!changes.data ? <LinearProgress /> : null}
      {changes.data && changes.data.total === 0 ? (
        <Typography variant="body2" color="text.secondary">
          No host changed {factPath} in the last {days === 1 ? 'day' : `${days} days`}.
        </Typography>
      ) : null}
      {changes.data && changes.data.total > 0 ? (
        <>
          <ApiTable
            rows={changes.data.items}
            columns={COLUMNS}
            rowKey={(change) => `${change.node} ${change.at}`}
            rowData={(change) => ({ 'data-host': change.host })}
            paging={paging.of(changes.data.total)}
          />
          {changes.data.message ? <Alert severity="info">{changes.data.message}</Alert> : null}
        </>
      ) : null}
    </Box>
  );
}
