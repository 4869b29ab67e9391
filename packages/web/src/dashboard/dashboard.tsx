import { Box, LinearProgress, Typography } from '@mui/material';
import { Title } from 'react-admin';
import type { DashboardReply } from '@minke/contract';
import { AgentsOverTime } from './agents-over-time.js';
import { FailingHosts } from './failing-hosts.js';
import { HostsByStatus } from './hosts-by-status.js';
import { Panel } from './panel.js';
import { RecentFailures } from './recent-failures.js';
import { RecentRuns } from './recent-runs.js';
import { SessionsPerDay } from './sessions-per-day.js';
import { SlowestSessions } from './slowest-sessions.js';
import { useApi } from './use-api.js';

/** The panels drawn from `GET /api/dashboard`; hosts and agents only for those who may view hosts. */
function Figures({ figures }: { figures: DashboardReply | null | undefined }) {
  if (figures === undefined) return <LinearProgress sx={{ flex: '1 1 100%' }} />;
  if (figures === null) {
    return <Typography color="error">The dashboard's figures could not be read.</Typography>;
  }
  return (
    <>
      <Panel title="Sessions per day by outcome" testId="dash-sessions-per-day" wide>
        <SessionsPerDay days={figures.sessionsPerDay} />
      </Panel>
      {figures.agents ? (
        <Panel title="Agents" testId="dash-agents">
          <AgentsOverTime agents={figures.agents} />
        </Panel>
      ) : null}
      {figures.failingHosts ? (
        <Panel title="Hosts that failed most this week" testId="dash-failing-hosts">
          <FailingHosts hosts={figures.failingHosts} since={figures.weekSince} />
        </Panel>
      ) : null}
      <Panel title="Slowest sessions this week" testId="dash-slowest">
        <SlowestSessions sessions={figures.slowestSessions} since={figures.weekSince} />
      </Panel>
    </>
  );
}

/**
 * The dashboard: hosts by their last result, sessions per day by outcome, agents, the hosts that
 * failed most and the slowest sessions this week, recent runs and failures. Every item links to
 * its filtered list.
 */
export function Dashboard() {
  const figures = useApi<DashboardReply>('/api/dashboard', { days: 14 });
  return (
    <Box sx={{ display: 'flex', flexWrap: 'wrap', gap: 2, mt: 2 }}>
      <Title title="Dashboard" />
      <Panel title="Hosts by last session status" testId="dash-hosts">
        <HostsByStatus />
      </Panel>
      <Figures figures={figures} />
      <Panel title="Recent runs" testId="dash-runs">
        <RecentRuns />
      </Panel>
      <Panel title="Recent failures" testId="dash-failures">
        <RecentFailures />
      </Panel>
    </Box>
  );
}
