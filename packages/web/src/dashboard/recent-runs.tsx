import { Box, Chip, LinearProgress } from '@mui/material';
import type { Page, RunItem, RunSummary } from '@minke/contract';
import { NoRunsYet } from '../runs/no-runs-yet.js';
import { LinkList } from './link-list.js';
import { OUTCOME_COLORS } from './outcome-colors.js';
import { useApi } from './use-api.js';

/**
 * A run's counters, below its text (beside it they covered the "finished" on narrow cards);
 * stopped or canceled sessions grey, apart from errors.
 */
function RunCounts({ summary }: { summary: RunSummary }) {
  return (
    <Box sx={{ display: 'flex', gap: 0.5, flexWrap: 'wrap', mt: 0.5 }} data-testid="run-counts">
      <Chip size="small" label={`${summary.done}/${summary.all} done`} />
      {(['success', 'warning', 'error', 'stopped'] as const).map((result) =>
        summary[result] ? (
          <Chip
            key={result}
            size="small"
            label={`${summary[result]} ${result}`}
            data-count={result}
            sx={{ bgcolor: OUTCOME_COLORS[result], color: '#111' }}
          />
        ) : null,
      )}
    </Box>
  );
}

export function RecentRuns() {
  const runs = useApi<Page<RunItem>>('/api/runs', { limit: 8 });
  if (runs === undefined) return <LinearProgress />;
  return (
    <LinkList
      items={(runs?.items ?? []).map((run) => ({
        key: run.id,
        to: `/runs/${run.id}/show`,
        primary: `${run.session} on ${run.model}`,
        secondary: `#${run.id} · ${new Date(run.createdAt).toLocaleString()} · ${run.state}`,
        extra: <RunCounts summary={run.summary} />,
      }))}
      empty={<NoRunsYet inPanel />}
      testId="recent-run"
      sx={{ display: 'block' }}
    />
  );
}
