import { useState } from 'react';
import {
  Alert,
  Box,
  Button,
  Card,
  CardContent,
  CardHeader,
  Checkbox,
  LinearProgress,
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableRow,
  Typography,
} from '@mui/material';
import PlayArrowIcon from '@mui/icons-material/PlayArrow';
import { Title, useNotify } from 'react-admin';
import { Link, useNavigate, useParams } from 'react-router-dom';
import type { PolicyHostPage, PolicyList, SessionMeta, StartedRun } from '@minke/contract';
import { useApiQuery } from '../facts/use-api-query.js';
import { timeAgo } from '../facts/relative-time.js';
import { RunSessionDialog } from '../runs/run-session-dialog.js';
import { ComplianceChart } from './compliance-chart.js';

/**
 * One policy: its condition, its compliance chart, and its failing hosts (failing since when),
 * with "Run session on these" to remediate: the run dialog on the ticked failing hosts.
 */
export function PolicyPage() {
  const { name = '' } = useParams();
  const navigate = useNavigate();
  const notify = useNotify();
  const policies = useApiQuery<PolicyList>('/api/policies');
  const failing = useApiQuery<PolicyHostPage>(`/api/policies/${encodeURIComponent(name)}/hosts`, {
    status: 'failing',
    limit: 1000,
  });
  const [unticked, setUnticked] = useState<Set<number>>(new Set());
  const [running, setRunning] = useState(false);
  const policy = policies.data?.items.find((p) => p.name === name);
  const hosts = failing.data?.items ?? [];
  const targets = hosts
    .filter((h) => !unticked.has(h.hostId))
    .map((h) => ({ id: h.hostId, label: h.host }));

  const started = (run: StartedRun, session: SessionMeta) => {
    setRunning(false);
    notify(`Started ${session.verboseName} on ${run.records.length} failing host(s)`, {
      type: 'info',
    });
    void navigate(`/runs/${run.id}/show`);
  };

  return (
    <Box sx={{ mt: 2, display: 'flex', flexDirection: 'column', gap: 2 }}>
      <Title title={`Policy ${name}`} />
      <Card>
        <CardHeader
          title={name}
          subheader={policy ? policy.description || 'no description' : undefined}
        />
        <CardContent>
          {policies.error ? <Alert severity="error">{policies.error}</Alert> : null}
          {policy ? (
            <Typography variant="body2" sx={{ fontFamily: 'monospace' }} data-testid="policy-where">
              {policy.where}
              {policy.scope ? `   — on hosts where ${policy.scope}` : '   — on every host'}
            </Typography>
          ) : null}
          <Box sx={{ mt: 2 }}>
            <ComplianceChart policy={name} />
          </Box>
        </CardContent>
      </Card>
      <Card>
        <CardHeader
          title={`Failing hosts (${failing.data?.total ?? '…'})`}
          action={
            <Button
              variant="contained"
              startIcon={<PlayArrowIcon />}
              disabled={targets.length === 0}
              onClick={() => setRunning(true)}
              data-testid="remediate"
            >
              Run session on these
            </Button>
          }
        />
        <CardContent>
          {failing.loading ? <LinearProgress /> : null}
          {failing.error ? <Alert severity="error">{failing.error}</Alert> : null}
          {failing.data && hosts.length === 0 ? (
            <Typography variant="body2">Every host in scope passes.</Typography>
          ) : null}
          {hosts.length > 0 ? (
            <Table size="small" data-testid="failing-hosts">
              <TableHead>
                <TableRow>
                  <TableCell padding="checkbox" />
                  <TableCell>Host</TableCell>
                  <TableCell>Failing since</TableCell>
                  <TableCell>Last checked</TableCell>
                </TableRow>
              </TableHead>
              <TableBody>
                {hosts.map((host) => (
                  <TableRow key={host.hostId} data-host={host.host}>
                    <TableCell padding="checkbox">
                      <Checkbox
                        size="small"
                        checked={!unticked.has(host.hostId)}
                        onChange={(event) =>
                          setUnticked((old) => {
                            const next = new Set(old);
                            if (event.target.checked) next.delete(host.hostId);
                            else next.add(host.hostId);
                            return next;
                          })
                        }
                      />
                    </TableCell>
                    <TableCell>
                      <Link to={`/Host/${host.hostId}/show/policies`}>{host.host}</Link>
                    </TableCell>
                    <TableCell title={host.since}>{timeAgo(host.since)}</TableCell>
                    <TableCell title={host.checkedAt}>{timeAgo(host.checkedAt)}</TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          ) : null}
        </CardContent>
      </Card>
      <RunSessionDialog
        model="Host"
        open={running}
        targets={targets}
        onClose={() => setRunning(false)}
        onStarted={started}
      />
    </Box>
  );
}
