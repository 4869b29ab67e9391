import { Typography } from '@mui/material';
import { BarChart } from '@mui/x-charts/BarChart';
import type { RunItem } from '@minke/contract';
import { useNavigate } from 'react-router-dom';
import { outcomeSeries } from '../dashboard/outcome-colors.js';

const OUTCOMES = ['success', 'warning', 'error', 'stopped'] as const;

/**
 * A job's runs over time, oldest on the left: each bar one run, stacked by how its sessions ended
 * (the same colours as the dashboard: stopped grey, never red); a click opens the run.
 */
export function JobRunsChart({ runs }: { runs: readonly RunItem[] | undefined }) {
  const navigate = useNavigate();
  if (!runs?.length) return null;
  const oldestFirst = [...runs].sort((a, b) => a.id - b.id);
  return (
    <div data-testid="job-runs-chart">
      <Typography variant="subtitle2" sx={{ px: 2 }}>
        Runs over time
      </Typography>
      <BarChart
        height={200}
        // Drawn at once: the page re-reads its runs every 3 s, and a bar that grows each time reads
        // as a changing count.
        skipAnimation
        dataset={oldestFirst.map((run) => ({
          label: `#${run.id} ${new Date(run.createdAt).toLocaleString([], {
            month: 'numeric',
            day: 'numeric',
            hour: '2-digit',
            minute: '2-digit',
          })}`,
          ...Object.fromEntries(OUTCOMES.map((outcome) => [outcome, run.summary[outcome]])),
        }))}
        xAxis={[{ scaleType: 'band', dataKey: 'label', categoryGapRatio: 0.5 }]}
        series={outcomeSeries(OUTCOMES, 'sessions')}
        onItemClick={(_event, item) => {
          const run = oldestFirst[item.dataIndex];
          if (run) void navigate(`/runs/${run.id}/show`);
        }}
        margin={{ left: 0, right: 8 }}
      />
    </div>
  );
}
