import { Box, Chip, Typography } from '@mui/material';
import { BarChart } from '@mui/x-charts/BarChart';
import { DASHBOARD_OUTCOMES, type DashboardOutcome, type OutcomeDay } from '@minke/contract';
import { Link, useNavigate } from 'react-router-dom';
import { OUTCOME_COLORS, OUTCOME_STATUS, outcomeSeries } from './outcome-colors.js';
import { filteredList } from './use-api.js';

function historyOf(outcome: DashboardOutcome, since: string, until: string): string {
  return filteredList('session-records', { status: OUTCOME_STATUS[outcome], since, until });
}

/** The period's totals by outcome, each a link to those sessions in the history. */
function Totals({ days }: { days: readonly OutcomeDay[] }) {
  const since = days[0]?.since ?? '';
  const until = days.at(-1)?.until ?? '';
  return (
    <Box sx={{ display: 'flex', gap: 1, flexWrap: 'wrap', mt: 1 }}>
      {DASHBOARD_OUTCOMES.map((outcome) => {
        const total = days.reduce((sum, day) => sum + day[outcome], 0);
        return (
          <Chip
            key={outcome}
            size="small"
            component={Link}
            to={historyOf(outcome, since, until)}
            clickable
            label={`${outcome} ${total}`}
            data-testid={`outcome-${outcome}`}
            sx={{ bgcolor: OUTCOME_COLORS[outcome], color: '#111' }}
          />
        );
      })}
    </Box>
  );
}

/** Sessions per day, stacked by outcome; a click on a bar opens those sessions in the history. */
export function SessionsPerDay({ days }: { days: readonly OutcomeDay[] }) {
  const navigate = useNavigate();
  if (!days.some((day) => DASHBOARD_OUTCOMES.some((outcome) => day[outcome] > 0))) {
    return (
      <Typography variant="body2" color="text.secondary">
        No sessions in the last {days.length} days.
      </Typography>
    );
  }
  return (
    <>
      <BarChart
        height={240}
        dataset={days.map((day) => ({ ...day, label: day.day.slice(5) }))}
        xAxis={[{ scaleType: 'band', dataKey: 'label' }]}
        series={outcomeSeries(DASHBOARD_OUTCOMES, 'sessions')}
        onItemClick={(_event, item) => {
          const day = days[item.dataIndex];
          const outcome = DASHBOARD_OUTCOMES.find((name) => name === item.seriesId);
          if (day && outcome) void navigate(historyOf(outcome, day.since, day.until));
        }}
        margin={{ left: 0, right: 8 }}
      />
      <Totals days={days} />
    </>
  );
}
