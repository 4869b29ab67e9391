import { Button, Chip } from '@mui/material';
import AddIcon from '@mui/icons-material/Add';
import { usePermissions } from 'react-admin';
import { Link } from 'react-router-dom';
import type { JobItem, Me } from '@minke/contract';
import { useApiQuery } from '../facts/use-api-query.js';
import type { ApiColumn } from '../layout/api-table.js';
import { ApiListPage } from '../layout/api-list-page.js';
import { selectionText, when } from './job-text.js';

const columns: ApiColumn<JobItem>[] = [
  {
    label: 'Name',
    cell: (job) => job.name,
    link: (job) => `/jobs/${job.id}`,
    sortBy: (job) => job.name,
  },
  {
    label: 'Session',
    cell: (job) => `${job.session} on ${job.model}`,
    sortBy: (job) => job.session,
  },
  { label: 'Selection', cell: (job) => selectionText(job.selection) },
  {
    label: 'Schedule',
    cell: (job) =>
      job.schedule ? (
        <>
          {job.schedule.cron} ({job.schedule.timezone}){' '}
          {job.schedule.enabled ? null : <Chip size="small" label="off" />}
        </>
      ) : (
        '—'
      ),
  },
  {
    label: 'Next',
    cell: (job) => when(job.schedule?.nextTimes[0]),
    sortBy: (job) => job.schedule?.nextTimes[0] ?? '',
  },
];

/** Saved jobs: what each runs on, its schedule and next time; "New job" for who may save them. */
export function JobsPage() {
  const jobs = useApiQuery<JobItem[]>('/api/jobs');
  const { permissions } = usePermissions<Me>();
  const mayManage =
    permissions?.isSuperuser === true || permissions?.permissions.includes('manage_jobs') === true;
  return (
    <ApiListPage
      title="Jobs"
      pageTestId="jobs-page"
      heading="Saved jobs"
      subheader="Runs kept to launch again, by hand or on a schedule"
      actions={
        mayManage ? (
          <Button component={Link} to="/jobs/new" startIcon={<AddIcon />} variant="contained">
            New job
          </Button>
        ) : null
      }
      request={jobs}
      rows={jobs.data}
      columns={columns}
      rowKey={(job) => job.id}
      rowData={(job) => ({ 'data-job': job.name })}
      label="Saved jobs"
      empty={
        mayManage
          ? 'No saved jobs yet: "New job" keeps a run to launch again, by hand or on a schedule.'
          : 'No saved jobs yet.'
      }
    />
  );
}
