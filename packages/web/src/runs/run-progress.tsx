import { useState } from 'react';
import {
  Alert,
  Box,
  Button,
  Card,
  GlobalStyles,
  LinearProgress,
  Stack,
  Typography,
} from '@mui/material';
import StopIcon from '@mui/icons-material/Stop';
import ClearAllIcon from '@mui/icons-material/ClearAll';
import { useNotify } from 'react-admin';
import { summarize } from '@minke/contract';
import type { RunBoard } from './run-board.js';
import { useBoardVersion } from './boards.js';
import { failedCount } from '@minke/contract';
import { ProgressCounts } from './progress-counts.js';
import { RerunButtons } from './rerun-buttons.js';
import { stopRun } from './stop.js';
import { RESULT_COLORS } from './status-chip.js';

/** Stopped and canceled rows are grey, whichever result the server gave them. */
const stoppedRows = (
  <GlobalStyles
    styles={{ 'tr[data-live-result="stopped"] > td': { backgroundColor: RESULT_COLORS.stopped } }}
  />
);

/**
 * Above the list while runs are shown: what runs, how far (waiting/running/done,
 * success/warning/error/stopped), "stop all" (a second press kills), re-run and "clear".
 */
export function RunProgress({ board }: { board: RunBoard }) {
  useBoardVersion(board);
  const notify = useNotify();
  const [stops, setStops] = useState(0);
  const runs = board.runs;
  const newest = runs[0];
  if (!newest) return null;
  const current = board.current();
  const counts = summarize(current);
  const active = runs.filter((m) => m.active);
  const reconnecting = runs.some((m) => m.status === 'reconnecting');
  const percent = counts.all ? (100 * counts.done) / counts.all : 0;
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
      {stoppedRows}
      <Stack direction="row" spacing={1} sx={{ alignItems: 'center', flexWrap: 'wrap', rowGap: 1 }}>
        <Typography variant="subtitle2" sx={{ mr: 1 }}>
          {names || 'Session'}
        </Typography>
        <ProgressCounts counts={counts} />
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
        <RerunButtons
          runId={newest.runId}
          session={newest.state.session}
          model={board.model}
          failed={failedCount(newest.state.sessions.values())}
          finished={!newest.active}
          onStarted={(run) => board.add(run.id, run)}
        />
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
