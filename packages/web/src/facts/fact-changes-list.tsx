import { useState } from 'react';
import {
  Alert,
  Box,
  LinearProgress,
  MenuItem,
  Table,
  TableBody,
  TableCell,
  TableHead,
  TablePagination,
  TableRow,
  TextField,
  Tooltip,
  Typography,
} from '@mui/material';
import type { FactChangesPage } from '@minke/contract';
import { shorten } from '../data/value-text.js';
import type { FactPathProps } from './fact-path.js';
import { timeAgo } from './relative-time.js';
import { useApiQuery } from './use-api-query.js';

const PERIODS = [1, 7, 30, 90] as const;

function shown(value: string | null): string {
  return value === null ? '—' : shorten(value, 80);
}

/** The hosts whose value at a fact path changed in the last N days: before → after, newest first. */
export function FactChangesList({ factPath, plugin, path }: FactPathProps) {
  const [days, setDays] = useState<number>(7);
  const [page, setPage] = useState(0);
  const [perPage, setPerPage] = useState(10);
  const changes = useApiQuery<FactChangesPage>('/api/facts/changes', {
    plugin,
    path,
    days,
    limit: perPage,
    offset: page * perPage,
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
            setPage(0);
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
          <Table size="small">
            <TableHead>
              <TableRow>
                <TableCell>Host</TableCell>
                <TableCell>When</TableCell>
                <TableCell>Before</TableCell>
                <TableCell>After</TableCell>
              </TableRow>
            </TableHead>
            <TableBody>
              {changes.data.items.map((change) => (
                <TableRow key={`${change.node} ${change.at}`} data-host={change.host}>
                  <TableCell>{change.host}</TableCell>
                  <TableCell>
                    <Tooltip title={new Date(change.at).toLocaleString()}>
                      <span>{timeAgo(change.at)}</span>
                    </Tooltip>
                  </TableCell>
                  <TableCell sx={{ fontFamily: 'monospace' }} data-before>
                    {shown(change.before)}
                  </TableCell>
                  <TableCell sx={{ fontFamily: 'monospace' }} data-after>
                    {shown(change.after)}
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
          <TablePagination
            component="div"
            count={changes.data.total}
            page={page}
            rowsPerPage={perPage}
            rowsPerPageOptions={[10, 25, 50]}
            onPageChange={(_event, next) => setPage(next)}
            onRowsPerPageChange={(event) => {
              setPerPage(Number(event.target.value));
              setPage(0);
            }}
          />
          {changes.data.message ? <Alert severity="info">{changes.data.message}</Alert> : null}
        </>
      ) : null}
    </Box>
  );
}
