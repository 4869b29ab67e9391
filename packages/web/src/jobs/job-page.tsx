import { useEffect, useState } from 'react';
import { Alert, Button, LinearProgress, Stack, Typography } from '@mui/material';
import EditIcon from '@mui/icons-material/Edit';
import PlayArrowIcon from '@mui/icons-material/PlayArrow';
import { useNotify, usePermissions } from 'react-admin';
import { Link, useParams } from 'react-router-dom';
import type { JobDetail, JobLaunched, JobTick, Me, RunItem } from '@minke/contract';
import { api } from '../api/http.js';
import { useBusyAction } from '../api/use-busy-action.js';
import { useApiQuery } from '../facts/use-api-query.js';
import { ApiListCard } from '../layout/api-list-page.js';
import type { ApiColumn } from '../layout/api-table.js';
import { DetailHeader } from '../layout/detail-header.js';
import { SummaryChips } from '../runs/summary-chips.js';
import { perObjectText, wholeRunText } from '../runs/time-limit.js';
import { PageColumn } from '../layout/page-column.js';
import { JobRunsChart } from './job-runs-chart.js';
import { JobScheduleCard } from './job-schedule-card.js';
import { batchText, rulesText, selectionText, when } from './job-text.js';
import { LaunchDialog } from './launch-dialog.js';

const runColumns: ApiColumn<RunItem>[] = [
  {
    label: 'Run',
    cell: (run) => `#${run.id}`,
    link: (run) => `/runs/${run.id}/show`,
    sortBy: (run) => run.id,
  },
  { label: 'Started', cell: (run) => when(run.createdAt), sortBy: (run) => run.createdAt },
  { label: 'By', cell: (run) => run.username ?? 'schedule or CLI' },
  { label: 'State', cell: (run) => run.state, sortBy: (run) => run.state },
  {
    label: 'Outcome',
    // The same chips as the runs list, so a stopped session shows here too (grey, not an error).
    cell: (run) => <SummaryChips summary={run.summary} />,
  },
];

const tickColumns: ApiColumn<JobTick>[] = [
  { label: 'Tick', cell: (tick) => when(tick.tickAt), sortBy: (tick) => tick.tickAt },
  { label: 'Outcome', cell: (tick) => tick.outcome, sortBy: (tick) => tick.outcome },
  { label: 'Note', cell: (tick) => tick.note },
];

/**
 * A saved job: what it runs (with its time limit per object, if set), its schedule with the next
 * times (switch on or off), "Launch" (a dialog asks the secret fields the job asks at launch),
 * its ticks and its runs over time.
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
  const launching = useBusyAction();
  const askedFields = Object.entries(job.data?.secrets ?? {})
    .filter(([, source]) => source === 'ask')
    .map(([field]) => field);

  const launch = (data: Record<string, string>): Promise<boolean> =>
    launching.run(async () => {
      const launched = await api<JobLaunched>(`/api/jobs/${id ?? ''}/launch`, {
        method: 'POST',
        body: { data },
      });
      notify(`Launched run ${launched.runId} on ${launched.objects} object(s)`, { type: 'info' });
      setAsking(false);
      runs.reload();
      job.reload();
    });

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
    <PageColumn testId="job-page">
      <DetailHeader
        title={`Job ${j.name}`}
        name={j.name}
        subheader={j.description || undefined}
        actions={
          <Stack direction="row" spacing={1}>
            {mayManage ? (
              <Button component={Link} to={`/jobs/${j.id}/edit`} startIcon={<EditIcon />}>
                Edit
              </Button>
            ) : null}
            <Button
              variant="contained"
              startIcon={<PlayArrowIcon />}
              disabled={launching.busy}
              onClick={() => (askedFields.length ? setAsking(true) : void launch({}))}
            >
              Launch
            </Button>
          </Stack>
        }
      >
        <Typography>
          {j.session} on {j.model}, {selectionText(j.selection)}
        </Typography>
        {Object.keys(j.data).length ? (
          <Typography variant="body2">Data: {JSON.stringify(j.data)}</Typography>
        ) : null}
        {j.timeoutMs !== null ? (
          <Typography variant="body2" data-testid="job-time-limit">
            {perObjectText(j.timeoutMs)}.
          </Typography>
        ) : null}
        {j.runTimeoutMs !== null ? (
          <Typography variant="body2" data-testid="job-run-limit">
            {wholeRunText(j.runTimeoutMs)} for each run.
          </Typography>
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
      </DetailHeader>
      <JobScheduleCard
        schedule={j.schedule}
        mayManage={mayManage}
        onSwitch={(enabled) => void switchSchedule(enabled)}
      />
      <ApiListCard
        heading="Runs"
        toolbar={<JobRunsChart runs={runs.data?.items} />}
        // Re-read every 3 s: the bar only until the first reply, so the table does not blink.
        request={{ loading: runs.loading && !runs.data, error: runs.error }}
        rows={runs.data?.items}
        columns={runColumns}
        rowKey={(run) => run.id}
        rowData={(run) => ({ 'data-run': run.id })}
        testId="job-runs"
        label="Runs of this job"
        empty="Not launched yet: Launch runs it now, its schedule at its next time."
      />
      {j.ticks.length ? (
        <ApiListCard
          heading="Ticks"
          request={{ loading: false, error: undefined }}
          rows={j.ticks}
          columns={tickColumns}
          rowKey={(tick) => tick.id}
          label="Ticks of the schedule"
          empty=""
        />
      ) : null}
      <LaunchDialog
        jobName={j.name}
        fields={askedFields}
        open={asking}
        busy={launching.busy}
        onClose={() => setAsking(false)}
        onLaunch={launch}
      />
    </PageColumn>
  );
}
