import { Box, Chip } from '@mui/material';
import type { RunSummary } from '@minke/contract';
import { RESULT_COLORS } from './status-chip.js';

/** waiting / running / done, then success / warning / error and (grey) stopped. */
export function ProgressCounts({ counts }: { counts: RunSummary }) {
  return (
    <>
      <Chip size="small" label={`waiting ${counts.waiting}`} data-testid="count-waiting" />
      <Chip
        size="small"
        label={`running ${counts.running}`}
        sx={{ bgcolor: RESULT_COLORS.running }}
        data-testid="count-running"
      />
      <Chip size="small" label={`done ${counts.done}`} data-testid="count-done" />
      <Box sx={{ width: 8 }} />
      <Chip
        size="small"
        label={`success ${counts.success}`}
        sx={{ bgcolor: RESULT_COLORS.success }}
        data-testid="count-success"
      />
      <Chip
        size="small"
        label={`warning ${counts.warning}`}
        sx={{ bgcolor: RESULT_COLORS.warning }}
        data-testid="count-warning"
      />
      <Chip
        size="small"
        label={`error ${counts.error}`}
        sx={{ bgcolor: RESULT_COLORS.error }}
        data-testid="count-error"
      />
      {counts.stopped > 0 ? (
        <Chip
          size="small"
          label={`stopped ${counts.stopped}`}
          sx={{ bgcolor: RESULT_COLORS.stopped }}
          data-testid="count-stopped"
        />
      ) : null}
    </>
  );
}
