import { Alert, MenuItem, TextField } from '@mui/material';
import { useState } from 'react';
import type { UpcomingTicks } from '@minke/contract';
import { useApiQuery } from '../facts/use-api-query.js';
import type { ApiColumn } from '../layout/api-table.js';
import { ApiListPage } from '../layout/api-list-page.js';
import { when } from './job-text.js';

type Tick = UpcomingTicks['items'][number];

const columns: ApiColumn<Tick>[] = [
  { label: 'When', cell: (tick) => when(tick.at), sortBy: (tick) => tick.at },
  {
    label: 'Job',
    cell: (tick) => tick.job,
    link: (tick) => `/jobs/${tick.jobId}`,
    sortBy: (tick) => tick.job,
  },
  { label: 'Session', cell: (tick) => tick.session, sortBy: (tick) => tick.session },
];

/** What the schedules run next ("what runs tonight"), soonest first. */
export function SchedulesPage() {
  const [hours, setHours] = useState(24);
  const ticks = useApiQuery<UpcomingTicks>('/api/schedules', { hours });
  return (
    <ApiListPage
      title="Schedules"
      pageTestId="schedules-page"
      heading="What runs next"
      actions={
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
      request={ticks}
      rows={ticks.data?.items}
      columns={columns}
      rowKey={(tick) => `${tick.jobId}-${tick.at}`}
      label="What runs next"
      empty="Nothing scheduled in this window: a saved job's schedule puts its ticks here."
    >
      {ticks.data?.truncated ? (
        <Alert severity="info">More ticks follow: the list stops at 500.</Alert>
      ) : null}
    </ApiListPage>
  );
}
