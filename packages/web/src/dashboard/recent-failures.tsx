import { LinearProgress } from '@mui/material';
import type { Page, SessionRecordItem } from '@minke/contract';
import { LinkList } from './link-list.js';
import { useApi } from './use-api.js';

/**
 * Recent sessions that ended in error. A stopped or canceled one is not a failure: the server's
 * `status=error` leaves them out, as the run summary does.
 */
export function RecentFailures() {
  const failed = useApi<Page<SessionRecordItem>>('/api/session-records', {
    status: 'error',
    limit: 8,
  });
  if (failed === undefined) return <LinearProgress />;
  return (
    <LinkList
      items={(failed?.items ?? []).map((record) => ({
        key: record.id,
        to: `/session-records/${record.id}/show`,
        primary: `${record.verboseName || record.session}: ${record.objectLabel}`,
        secondary: `${record.procInfo} · ${new Date(record.createdAt).toLocaleString()}`,
      }))}
      empty="No failures."
      testId="recent-failure"
      sx={{ borderLeft: 4, borderColor: 'error.main', mb: 0.5 }}
    />
  );
}
