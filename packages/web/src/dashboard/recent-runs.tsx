import {
  Box,
  Button,
  Chip,
  LinearProgress,
  List as MuiList,
  ListItemButton,
  ListItemText,
  Typography,
} from '@mui/material';
import type { Page, RunItem, RunSummary } from '@minke/contract';
import { Link } from 'react-router-dom';
import { OUTCOME_COLORS } from './outcome-colors.js';
import { useApi } from './use-api.js';

/** A run's counters, below its text (beside it they covered the "finished" on narrow cards). */
function RunCounts({ summary }: { summary: RunSummary }) {
  return (
    <Box sx={{ display: 'flex', gap: 0.5, flexWrap: 'wrap', mt: 0.5 }} data-testid="run-counts">
      <Chip size="small" label={`${summary.done}/${summary.all} done`} />
      {(['success', 'warning', 'error'] as const).map((result) =>
        summary[result] ? (
          <Chip
            key={result}
            size="small"
            label={`${summary[result]} ${result}`}
            sx={{ bgcolor: OUTCOME_COLORS[result], color: '#111' }}
          />
        ) : null,
      )}
    </Box>
  );
}

/** The empty state: where a first run starts. */
function NoRunsYet() {
  return (
    <Box data-testid="no-runs">
      <Typography variant="body2" sx={{ mb: 1 }}>
        No runs yet: select rows in a list and press <b>Run session</b>.
      </Typography>
      <Button component={Link} to="/Host" variant="outlined" size="small">
        Open the host list
      </Button>
    </Box>
  );
}

export function RecentRuns() {
  const runs = useApi<Page<RunItem>>('/api/runs', { limit: 8 });
  if (runs === undefined) return <LinearProgress />;
  if (!runs?.items.length) return <NoRunsYet />;
  return (
    <MuiList dense disablePadding>
      {runs.items.map((run) => (
        <ListItemButton
          key={run.id}
          component={Link}
          to={`/runs/${run.id}/show`}
          sx={{ display: 'block' }}
          data-testid="recent-run"
        >
          <ListItemText
            primary={`${run.session} on ${run.model}`}
            secondary={`#${run.id} · ${new Date(run.createdAt).toLocaleString()} · ${run.state}`}
            sx={{ my: 0 }}
          />
          <RunCounts summary={run.summary} />
        </ListItemButton>
      ))}
    </MuiList>
  );
}
