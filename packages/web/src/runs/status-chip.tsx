import { Chip } from '@mui/material';
import type { ProcessState, SessionResult } from '@minke/contract';

/** Row and chip colours by result, as the original's green/yellow/red rows. */
export const RESULT_COLORS: Record<SessionResult | 'running' | 'waiting' | 'stopped', string> = {
  success: '#dff0d8',
  warning: '#fcf8e3',
  error: '#f2dede',
  running: '#e3eef9',
  waiting: '#f3f3f3',
  /** stopped or canceled: grey, not a failure */
  stopped: '#e4e4e4',
};

const CHIP_COLOR: Record<SessionResult, 'success' | 'warning' | 'error'> = {
  success: 'success',
  warning: 'warning',
  error: 'error',
};

export function ResultChip({ result }: { result: SessionResult | null | undefined }) {
  if (!result) return null;
  return (
    <Chip
      size="small"
      label={result}
      color={CHIP_COLOR[result]}
      variant="outlined"
      data-result={result}
    />
  );
}

export function StateChip({ state }: { state: ProcessState }) {
  const color =
    state === 'running' || state === 'stopping' ? 'info' : state === 'failed' ? 'error' : 'default';
  // stopped and canceled: a filled grey chip, apart from the results' colours
  const filled = state === 'stopped' || state === 'canceled';
  return (
    <Chip
      size="small"
      label={state}
      color={color}
      variant={filled ? 'filled' : 'outlined'}
      data-state={state}
    />
  );
}

/** A session's outcome in one chip: grey "stopped"/"canceled", else its result. */
export function OutcomeChip({
  state,
  result,
}: {
  state: ProcessState;
  result: SessionResult | null;
}) {
  if (state === 'stopped' || state === 'canceled') return <StateChip state={state} />;
  return <ResultChip result={result} />;
}
