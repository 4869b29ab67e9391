import {
  Alert,
  Chip,
  LinearProgress,
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableRow,
  Typography,
} from '@mui/material';
import { useRecordContext } from 'react-admin';
import { Link } from 'react-router-dom';
import type { HostPolicies } from '@minke/contract';
import { useApiQuery } from '../facts/use-api-query.js';
import { timeAgo } from '../facts/relative-time.js';

/** The Policies tab of a host's page: every policy that applies to it, failing first. */
export function HostPoliciesTab() {
  const record = useRecordContext();
  const name = typeof record?.name === 'string' ? record.name : null;
  const policies = useApiQuery<HostPolicies>(
    name === null ? null : `/api/hosts/${encodeURIComponent(name)}/policies`,
  );
  if (name === null) return null;
  if (policies.error) return <Alert severity="error">{policies.error}</Alert>;
  if (!policies.data) return <LinearProgress />;
  if (policies.data.items.length === 0)
    return <Typography variant="body2">No policy applies to this host yet.</Typography>;
  return (
    <Table size="small" data-testid="host-policies">
      <TableHead>
        <TableRow>
          <TableCell>Policy</TableCell>
          <TableCell>Status</TableCell>
          <TableCell>Since</TableCell>
        </TableRow>
      </TableHead>
      <TableBody>
        {policies.data.items.map((item) => (
          <TableRow key={item.policy} data-policy={item.policy}>
            <TableCell>
              <Link to={`/policies/${encodeURIComponent(item.policy)}`}>{item.policy}</Link>
            </TableCell>
            <TableCell>
              <Chip
                size="small"
                color={item.passing ? 'success' : 'error'}
                label={item.passing ? 'passing' : 'failing'}
              />
            </TableCell>
            <TableCell title={item.since}>{timeAgo(item.since)}</TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}
