import { useEffect, useState } from 'react';
import {
  Alert,
  Box,
  Button,
  Card,
  CardContent,
  CardHeader,
  Dialog,
  DialogActions,
  DialogContent,
  DialogTitle,
  LinearProgress,
  Stack,
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableRow,
  TextField,
  Typography,
} from '@mui/material';
import EditIcon from '@mui/icons-material/Edit';
import PlayArrowIcon from '@mui/icons-material/PlayArrow';
import { Title, useNotify, usePermissions } from 'react-admin';
import { Link, useParams } from 'react-router-dom';
import type { JobDetail, JobLaunched, Me, RunItem } from '@minke/contract';
import { api } from '../api/http.js';
import { useApiQuery } from '../facts/use-api-query.js';
import { batchText, rulesText, selectionText, when } from './job-text.js';

/**
 * A saved job: what it runs, its schedule with the next times (switch on or off), "Launch" (a
 * dialog asks the secret fields the job asks at launch), its ticks and its runs over time.
 */
export function JobPage() {
  const { id } = useParams();
  const notify = useNotify();
  const { permissions } = usePermissions<Me>();
  const mayManage =
    permissions?.isSuperuser === true || permissions?.permissions.includes('manage_jobs') === true;
  const job = useApiQuery<JobDetail>(`/api/jobs/${id ?? ''}`);
  const runs = useApiQuery<{ items: RunItem[] }>('/api/runs', { job: id, limit: 50 });
  // Runs and ticks move on their own (schedules, workers): read them again every 3 s.
  const { reload: reloadRuns } = runs;
  const { reload: reloadJob } = job;
  useEffect(() => {
    const timer = setInterval(() => {
      reloadRuns();
      reloadJob();
    }, 3000);
    return () => clearInterval(timer);
  }, [reloadRuns, reloadJob]);
  const [asking, setAsking] = useState(false);
  const [asked, setAsked] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const askedFields = Object.entries(job.data?.secrets ?? {})
    .filter(([, source]) => source === 'ask')
    .map(([field]) => field);

  const launch = async (data: Record<string, string>) => {
    setBusy(true);
    try {
      const launched = await api<JobLaunched>(`/api/jobs/${id ?? ''}/launch`, {
        method: 'POST',
        body: { data },
      });
      notify(`Launched run ${launched.runId} on ${launched.objects} object(s)`, { type: 'info' });
      setAsking(false);
      setAsked({});
      runs.reload();
      job.reload();
    } catch (error) {
      notify((error as Error).message, { type: 'error' });
    } finally {
      setBusy(false);
    }
  };

  const switchSchedule = async (enabled: boolean) => {
    try {
      await api(`/api/jobs/${id ?? ''}/${enabled ? 'enable' : 'disable'}`, { method: 'POST' });
      job.reload();
    } catch (error) {
      notify((error as Error).message, { type: 'error' });
    }
  };

  if (job.error) return <Alert severity="error">{job.error}</Alert>;
  if (!job.data) return <LinearProgress />;
  const j = job.data;
  return (
    <Box sx={{ mt: 2, display: 'flex', flexDirection: 'column', gap: 2 }} data-testid="job-page">
      <Title title={`Job ${j.name}`} />
      <Card>
        <CardHeader
          title={j.name}
          subheader={j.description || undefined}
          action={
            <Stack direction="row" spacing={1}>
              {mayManage ? (
                <Button component={Link} to={`/jobs/${j.id}/edit`} startIcon={<EditIcon />}>
                  Edit
                </Button>
              ) : null}
              <Button
                variant="contained"
                startIcon={<PlayArrowIcon />}
                disabled={busy}
                onClick={() => (askedFields.length ? setAsking(true) : void launch({}))}
              >
                Launch
              </Button>
            </Stack>
          }
        />
        <CardContent>
          <Typography>
            {j.session} on {j.model}, {selectionText(j.selection)}
          </Typography>
          {Object.keys(j.data).length ? (
            <Typography variant="body2">Data: {JSON.stringify(j.data)}</Typography>
          ) : null}
          <Typography variant="body2" data-testid="job-batch">
            {batchText(j.batch)}
          </Typography>
          <Typography variant="body2" data-testid="job-notify">
            {rulesText(j.notify)}
          </Typography>
          {Object.entries(j.secrets).map(([field, source]) => (
            <Typography variant="body2" key={field}>
              {field}: {source === 'ask' ? 'asked at launch' : `credential ${source.credential}`}
            </Typography>
          ))}
        </CardContent>
      </Card>
      <Card>
        <CardHeader
          title="Schedule"
          action={
            j.schedule && mayManage ? (
              <Button onClick={() => void switchSchedule(!j.schedule?.enabled)}>
                {j.schedule.enabled ? 'Disable' : 'Enable'}
              </Button>
            ) : null
          }
        />
        <CardContent data-testid="job-schedule">
          {j.schedule ? (
            <Stack spacing={1}>
              <Typography>
                {j.schedule.cron} ({j.schedule.timezone})
                {j.schedule.endAt ? ` until ${when(j.schedule.endAt)}` : ''},{' '}
                {j.schedule.enabled ? 'enabled' : 'disabled'}; missed ticks: {j.schedule.missed}; a
                tick while a run goes: {j.schedule.overlap}
              </Typography>
              {j.schedule.nextTimes.length ? (
                <Box data-testid="next-times">
                  <Typography variant="subtitle2">Next times</Typography>
                  {j.schedule.nextTimes.map((time) => (
                    <Typography key={time} variant="body2" data-time={time}>
                      {when(time)}
                    </Typography>
                  ))}
                </Box>
              ) : null}
            </Stack>
          ) : (
            <Typography>No schedule: launched by hand only.</Typography>
          )}
        </CardContent>
      </Card>
      <Card>
        <CardHeader title="Runs" />
        <CardContent>
          {runs.data?.items.length === 0 ? <Alert severity="info">Not launched yet.</Alert> : null}
          {runs.data?.items.length ? (
            <Table size="small" data-testid="job-runs">
              <TableHead>
                <TableRow>
                  <TableCell>Run</TableCell>
                  <TableCell>Started</TableCell>
                  <TableCell>By</TableCell>
                  <TableCell>State</TableCell>
                  <TableCell>Outcome</TableCell>
                </TableRow>
              </TableHead>
              <TableBody>
                {runs.data.items.map((run) => (
                  <TableRow key={run.id} data-run={run.id}>
                    <TableCell>
                      <Link to={`/runs/${run.id}/show`}>#{run.id}</Link>
                    </TableCell>
                    <TableCell>{when(run.createdAt)}</TableCell>
                    <TableCell>{run.username ?? 'schedule or CLI'}</TableCell>
                    <TableCell>{run.state}</TableCell>
                    <TableCell>
                      {run.summary.success} success, {run.summary.warning} warning,{' '}
                      {run.summary.error} error
                    </TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          ) : null}
        </CardContent>
      </Card>
      {j.ticks.length ? (
        <Card>
          <CardHeader title="Ticks" />
          <CardContent>
            <Table size="small">
              <TableHead>
                <TableRow>
                  <TableCell>Tick</TableCell>
                  <TableCell>Outcome</TableCell>
                  <TableCell>Note</TableCell>
                </TableRow>
              </TableHead>
              <TableBody>
                {j.ticks.map((tick) => (
                  <TableRow key={tick.id}>
                    <TableCell>{when(tick.tickAt)}</TableCell>
                    <TableCell>{tick.outcome}</TableCell>
                    <TableCell>{tick.note}</TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          </CardContent>
        </Card>
      ) : null}
      <Dialog open={asking} onClose={() => setAsking(false)}>
        <DialogTitle>Launch {j.name}</DialogTitle>
        <DialogContent>
          {askedFields.map((field) => (
            <TextField
              key={field}
              sx={{ mt: 1 }}
              fullWidth
              type="password"
              autoComplete="off"
              label={field}
              name={`ask-${field}`}
              value={asked[field] ?? ''}
              onChange={(e) => setAsked({ ...asked, [field]: e.target.value })}
            />
          ))}
        </DialogContent>
        <DialogActions>
          <Button onClick={() => setAsking(false)}>Cancel</Button>
          <Button variant="contained" disabled={busy} onClick={() => void launch(asked)}>
            Launch
          </Button>
        </DialogActions>
      </Dialog>
    </Box>
  );
}
