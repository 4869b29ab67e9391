import {
  LinearProgress,
  List as MuiList,
  ListItemButton,
  ListItemText,
  Typography,
} from '@mui/material';
import type { Page, SessionRecordItem } from '@minke/contract';
import { Link } from 'react-router-dom';
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
  const failures = failed?.items ?? [];
  if (!failures.length) return <Typography variant="body2">No failures.</Typography>;
  return (
    <MuiList dense disablePadding>
      {failures.map((record) => (
        <ListItemButton
          key={record.id}
          component={Link}
          to={`/session-records/${record.id}/show`}
          sx={{ borderLeft: 4, borderColor: 'error.main', mb: 0.5 }}
          data-testid="recent-failure"
        >
          <ListItemText
            primary={`${record.verboseName || record.session}: ${record.objectLabel}`}
            secondary={`${record.procInfo} · ${new Date(record.createdAt).toLocaleString()}`}
          />
        </ListItemButton>
      ))}
    </MuiList>
  );
}
