import {
  Alert,
  Box,
  Card,
  CardContent,
  CardHeader,
  LinearProgress,
  MenuItem,
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableRow,
  TextField,
} from '@mui/material';
import { useState } from 'react';
import { Title } from 'react-admin';
import { Link } from 'react-router-dom';
import type { UpcomingTicks } from '@minke/contract';
import { useApiQuery } from '../facts/use-api-query.js';
import { when } from './job-text.js';

/** What the schedules run next ("what runs tonight"), soonest first. */
export function SchedulesPage() {
  const [hours, setHours] = useState(24);
  const ticks = useApiQuery<UpcomingTicks>('/api/schedules', { hours });
  return (
    <Box sx={{ mt: 2 }} data-testid="schedules-page">
      <Title title="Schedules" />
      <Card>
        <CardHeader
          title="What runs next"
          action={
            <TextField
              select
              size="small"
              label="Ahead"
              value={hours}
              onChange={(event) => setHours(Number(event.target.value))}
            >
              <MenuItem value={12}>12 hours</MenuItem>
              <MenuItem value={24}>24 hours</MenuItem>
              <MenuItem value={24 * 7}>a week</MenuItem>
            </TextField>
          }
        />
        <CardContent>
          {ticks.error ? <Alert severity="error">{ticks.error}</Alert> : null}
          {!ticks.data && !ticks.error ? <LinearProgress /> : null}
          {ticks.data?.items.length === 0 ? (
            <Alert severity="info">Nothing scheduled in this window.</Alert>
          ) : null}
          {ticks.data?.items.length ? (
            <Table size="small">
              <TableHead>
                <TableRow>
                  <TableCell>When</TableCell>
                  <TableCell>Job</TableCell>
                  <TableCell>Session</TableCell>
                </TableRow>
              </TableHead>
              <TableBody>
                {ticks.data.items.map((tick) => (
                  <TableRow key={`${tick.jobId}-${tick.at}`}>
                    <TableCell>{when(tick.at)}</TableCell>
                    <TableCell>
                      <Link to={`/jobs/${tick.jobId}`}>{tick.job}</Link>
                    </TableCell>
                    <TableCell>{tick.session}</TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          ) : null}
          {ticks.data?.truncated ? (
            <Alert severity="info">More ticks follow: the list stops at 500.</Alert>
          ) : null}
        </CardContent>
      </Card>
    </Box>
  );
}
