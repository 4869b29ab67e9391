import { useEffect, useState, type ReactNode } from 'react';
import {
  Box,
  Card,
  CardContent,
  CardHeader,
  Chip,
  LinearProgress,
  List as MuiList,
  ListItem,
  ListItemText,
  Typography,
} from '@mui/material';
import { Title } from 'react-admin';
import { Link } from 'react-router-dom';
import { api } from '../api/http.js';
import type { Page, RunItem, SessionRecordItem } from '@minke/contract';
import type { AgentPage } from '@minke/contract';
import { SummaryChips } from '../runs/run-pages.js';
import { RESULT_COLORS } from '../runs/status-chip.js';

/** Loads once; `undefined` while loading, `null` when the endpoint is missing or refused. */
function useApi<T>(
  path: string,
  query: Record<string, string | number> = {},
): T | null | undefined {
  const [value, setValue] = useState<T | null | undefined>(undefined);
  const key = JSON.stringify(query);
  useEffect(() => {
    let live = true;
    api<T>(path, { query: JSON.parse(key) as Record<string, string | number> }).then(
      (data) => live && setValue(data),
      () => live && setValue(null),
    );
    return () => {
      live = false;
    };
  }, [path, key]);
  return value;
}

function Panel({
  title,
  children,
  testId,
}: {
  title: string;
  children: ReactNode;
  testId: string;
}) {
  return (
    <Card sx={{ flex: '1 1 360px', minWidth: 320 }} data-testid={testId}>
      <CardHeader title={title} slotProps={{ title: { variant: 'subtitle1' } }} />
      <CardContent sx={{ pt: 0 }}>{children}</CardContent>
    </Card>
  );
}

function RecentRuns() {
  const runs = useApi<Page<RunItem>>('/api/runs', { limit: 8 });
  if (runs === undefined) return <LinearProgress />;
  if (!runs?.items.length) return <Typography variant="body2">No runs yet.</Typography>;
  return (
    <MuiList dense>
      {runs.items.map((run) => (
        <ListItem
          key={run.id}
          component={Link}
          to={`/runs/${run.id}/show`}
          secondaryAction={<SummaryChips summary={run.summary} />}
          sx={{ color: 'inherit' }}
        >
          <ListItemText
            primary={`${run.session} on ${run.model}`}
            secondary={`#${run.id} · ${new Date(run.createdAt).toLocaleString()} · ${run.state}`}
          />
        </ListItem>
      ))}
    </MuiList>
  );
}

function Failures() {
  const failed = useApi<Page<SessionRecordItem>>('/api/session-records', {
    status: 'error',
    limit: 8,
  });
  if (failed === undefined) return <LinearProgress />;
  if (!failed?.items.length) return <Typography variant="body2">No failures.</Typography>;
  return (
    <MuiList dense>
      {failed.items.map((record) => (
        <ListItem
          key={record.id}
          component={Link}
          to={`/session-records/${record.id}/show`}
          sx={{ color: 'inherit', bgcolor: RESULT_COLORS.error, mb: 0.5, borderRadius: 1 }}
        >
          <ListItemText
            primary={`${record.verboseName || record.session}: ${record.objectLabel}`}
            secondary={`${record.procInfo} · ${new Date(record.createdAt).toLocaleString()}`}
          />
        </ListItem>
      ))}
    </MuiList>
  );
}

function HostCount({ status }: { status?: 'success' | 'warning' | 'error' }) {
  const page = useApi<Page<unknown>>('/api/records/Host', {
    limit: 1,
    ...(status ? { lastStatus: status } : {}),
  });
  return <>{page === undefined ? '…' : page === null ? '?' : page.total}</>;
}

function HostsByStatus() {
  const filter = (status: string) =>
    `/Host?filter=${encodeURIComponent(JSON.stringify({ lastStatus: status }))}`;
  return (
    <Box sx={{ display: 'flex', gap: 1, flexWrap: 'wrap' }}>
      <Chip
        component={Link}
        to="/Host"
        clickable
        label={
          <>
            all <HostCount />
          </>
        }
      />
      {(['success', 'warning', 'error'] as const).map((status) => (
        <Chip
          key={status}
          component={Link}
          to={filter(status)}
          clickable
          sx={{ bgcolor: RESULT_COLORS[status] }}
          data-testid={`hosts-${status}`}
          label={
            <>
              {status} <HostCount status={status} />
            </>
          }
        />
      ))}
    </Box>
  );
}

/** "agents online N / M", linking to the agents page; no panel while there are no agents. */
function Agents() {
  const agents = useApi<AgentPage>('/api/agents', { limit: 1 });
  if (!agents?.fleet.total) return null;
  return (
    <Panel title="Agents" testId="dash-agents">
      <Typography
        variant="h4"
        component={Link}
        to="/agents"
        sx={{ color: 'inherit', textDecoration: 'none' }}
      >
        {agents.fleet.online} / {agents.fleet.total}
        <Typography component="span" variant="body1" color="text.secondary">
          {' '}
          agents online
        </Typography>
      </Typography>
    </Panel>
  );
}

/** Recent runs, recent failures, hosts by the result of their last session, agents online. */
export function Dashboard() {
  return (
    <Box sx={{ display: 'flex', flexWrap: 'wrap', gap: 2, mt: 2 }}>
      <Title title="Minke" />
      <Panel title="Hosts by last session status" testId="dash-hosts">
        <HostsByStatus />
      </Panel>
      <Agents />
      <Panel title="Recent runs" testId="dash-runs">
        <RecentRuns />
      </Panel>
      <Panel title="Recent failures" testId="dash-failures">
        <Failures />
      </Panel>
    </Box>
  );
}
