import { useState } from 'react';
import { Alert, Box, Button, Card, Chip, LinearProgress, Stack, Typography } from '@mui/material';
import StopIcon from '@mui/icons-material/Stop';
import ClearAllIcon from '@mui/icons-material/ClearAll';
import { useNotify } from 'react-admin';
import type { RunBoard } from './run-board.js';
import { useBoardVersion } from './boards.js';
import { stopRun } from './stop.js';
import { RESULT_COLORS } from './status-chip.js';

/**
 * Above the list while runs are shown: what runs, how far (waiting/running/done,
 * success/warning/error), "stop all" (a second press kills) and "clear".
 */
export function RunProgress({ board }: { board: RunBoard }) {
  useBoardVersion(board);
  const notify = useNotify();
  const [stops, setStops] = useState(0);
  const runs = board.runs;
  if (runs.length === 0) return null;
  const summary = board.summary();
  const active = runs.filter((m) => m.active);
  const reconnecting = runs.some((m) => m.status === 'reconnecting');
  const percent = summary.all ? (100 * summary.done) / summary.all : 0;
  const names = [
    ...new Set(runs.map((m) => board.verboseName(m.state.session)).filter(Boolean)),
  ].join(', ');

  const stopAll = async () => {
    setStops((n) => n + 1);
    try {
      const replies = await Promise.all(active.map((m) => stopRun(m.runId)));
      board.applyStops(replies.flat());
    } catch (error) {
      notify((error as Error).message, { type: 'error' });
    }
  };

  return (
    <Card
      data-testid="run-progress"
      data-running={active.length > 0 ? 'true' : 'false'}
      sx={{ px: 2, py: 1, mt: 2 }}
    >
      <Stack direction="row" spacing={1} sx={{ alignItems: 'center', flexWrap: 'wrap' }}>
        <Typography variant="subtitle2" sx={{ mr: 1 }}>
          {names || 'Session'}
        </Typography>
        <Chip size="small" label={`waiting ${summary.waiting}`} data-testid="count-waiting" />
        <Chip
          size="small"
          label={`running ${summary.running}`}
          sx={{ bgcolor: RESULT_COLORS.running }}
          data-testid="count-running"
        />
        <Chip size="small" label={`done ${summary.done}`} data-testid="count-done" />
        <Box sx={{ width: 8 }} />
        <Chip
          size="small"
          label={`success ${summary.success}`}
          sx={{ bgcolor: RESULT_COLORS.success }}
          data-testid="count-success"
        />
        <Chip
          size="small"
          label={`warning ${summary.warning}`}
          sx={{ bgcolor: RESULT_COLORS.warning }}
          data-testid="count-warning"
        />
        <Chip
          size="small"
          label={`error ${summary.error}`}
          sx={{ bgcolor: RESULT_COLORS.error }}
          data-testid="count-error"
        />
        <Box sx={{ flex: 1 }} />
        {active.length > 0 ? (
          <Button
            size="small"
            color="error"
            variant="outlined"
            startIcon={<StopIcon />}
            onClick={() => void stopAll()}
            data-testid="stop-all"
          >
            {stops > 0 ? 'Kill all' : 'Stop all'}
          </Button>
        ) : null}
        <Button
          size="small"
          startIcon={<ClearAllIcon />}
          onClick={() => {
            setStops(0);
            board.clear();
          }}
          data-testid="clear-runs"
        >
          Clear
        </Button>
      </Stack>
      <LinearProgress
        variant="determinate"
        value={percent}
        sx={{ mt: 1, height: 6, borderRadius: 3 }}
        aria-label="Progress"
      />
      {reconnecting ? (
        <Alert severity="warning" sx={{ mt: 1 }} data-testid="reconnecting">
          Connection to the server lost; reconnecting (no events will be lost).
        </Alert>
      ) : null}
    </Card>
  );
}
