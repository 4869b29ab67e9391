import {
  Alert,
  Box,
  Button,
  Card,
  CardContent,
  CardHeader,
  Chip,
  LinearProgress,
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableRow,
} from '@mui/material';
import AddIcon from '@mui/icons-material/Add';
import { Title, usePermissions } from 'react-admin';
import { Link } from 'react-router-dom';
import type { JobItem, Me } from '@minke/contract';
import { useApiQuery } from '../facts/use-api-query.js';
import { selectionText, when } from './job-text.js';

/** Saved jobs: what each runs on, its schedule and next time; "New job" for who may save them. */
export function JobsPage() {
  const jobs = useApiQuery<JobItem[]>('/api/jobs');
  const { permissions } = usePermissions<Me>();
  const mayManage =
    permissions?.isSuperuser === true || permissions?.permissions.includes('manage_jobs') === true;
  return (
    <Box sx={{ mt: 2 }} data-testid="jobs-page">
      <Title title="Jobs" />
      <Card>
        <CardHeader
          title="Saved jobs"
          subheader="Runs kept to launch again, by hand or on a schedule"
          action={
            mayManage ? (
              <Button component={Link} to="/jobs/new" startIcon={<AddIcon />} variant="contained">
                New job
              </Button>
            ) : null
          }
        />
        <CardContent>
          {jobs.error ? <Alert severity="error">{jobs.error}</Alert> : null}
          {!jobs.data && !jobs.error ? <LinearProgress /> : null}
          {jobs.data?.length === 0 ? <Alert severity="info">No saved jobs yet.</Alert> : null}
          {jobs.data?.length ? (
            <Table size="small">
              <TableHead>
                <TableRow>
                  <TableCell>Name</TableCell>
                  <TableCell>Session</TableCell>
                  <TableCell>Selection</TableCell>
                  <TableCell>Schedule</TableCell>
                  <TableCell>Next</TableCell>
                </TableRow>
              </TableHead>
              <TableBody>
                {jobs.data.map((job) => (
                  <TableRow key={job.id} data-job={job.name}>
                    <TableCell>
                      <Link to={`/jobs/${job.id}`}>{job.name}</Link>
                    </TableCell>
                    <TableCell>
                      {job.session} on {job.model}
                    </TableCell>
                    <TableCell>{selectionText(job.selection)}</TableCell>
                    <TableCell>
                      {job.schedule ? (
                        <>
                          {job.schedule.cron} ({job.schedule.timezone}){' '}
                          {job.schedule.enabled ? null : <Chip size="small" label="off" />}
                        </>
                      ) : (
                        '—'
                      )}
                    </TableCell>
                    <TableCell>{when(job.schedule?.nextTimes[0])}</TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          ) : null}
        </CardContent>
      </Card>
    </Box>
  );
}
