import { Typography } from '@mui/material';
import { LineChart } from '@mui/x-charts/LineChart';
import type { DashboardReply } from '@minke/contract';
import { Link } from 'react-router-dom';

/** "N / M agents online" now (a link to the agents page) and agents heard from per day. */
export function AgentsOverTime({ agents }: { agents: NonNullable<DashboardReply['agents']> }) {
  if (agents.total === 0) {
    return (
      <Typography variant="body2">
        No agents yet: run <code>minke agents enroll</code> for a node, then start minke-agent on
        it. <Link to="/agents">Agents</Link>
      </Typography>
    );
  }
  return (
    <>
      <Typography
        variant="h4"
        component={Link}
        to="/agents"
        sx={{ color: 'inherit', textDecoration: 'none' }}
        data-testid="agents-online"
      >
        {agents.online} / {agents.total}
        <Typography component="span" variant="body1" color="text.secondary">
          {' '}
          agents online
        </Typography>
      </Typography>
      <LineChart
        height={160}
        dataset={agents.perDay.map((day) => ({ label: day.day.slice(5), nodes: day.nodes }))}
        xAxis={[{ scaleType: 'point', dataKey: 'label' }]}
        series={[{ dataKey: 'nodes', label: 'agents heard from', area: true }]}
        margin={{ left: 0, right: 8 }}
      />
    </>
  );
}
