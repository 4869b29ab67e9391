import { Typography } from '@mui/material';
import { LineChart } from '@mui/x-charts/LineChart';
import type { DashboardReply } from '@minke/contract';
import { Link } from 'react-router-dom';

const dayAndHour = new Intl.DateTimeFormat(undefined, {
  weekday: 'short',
  hour: '2-digit',
  minute: '2-digit',
});
const day = new Intl.DateTimeFormat(undefined, { weekday: 'short', day: 'numeric' });

/** "N / M agents online" now (a link to the agents page) and agents online every hour this week. */
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
        dataset={agents.overTime.map((point) => ({
          at: new Date(point.at),
          online: point.online,
        }))}
        xAxis={[
          {
            scaleType: 'time',
            dataKey: 'at',
            valueFormatter: (value: Date, context) =>
              context.location === 'tick' ? day.format(value) : dayAndHour.format(value),
          },
        ]}
        yAxis={[{ min: 0, max: agents.total, tickMinStep: 1 }]}
        series={[
          {
            dataKey: 'online',
            label: 'agents online',
            area: true,
            showMark: false,
            curve: 'stepAfter',
          },
        ]}
        margin={{ left: 0, right: 8 }}
      />
    </>
  );
}
