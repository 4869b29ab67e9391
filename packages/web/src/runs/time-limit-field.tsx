import { TextField } from '@mui/material';
import { readTimeLimit, timeLimitHelp } from './time-limit.js';

export interface TimeLimitFieldProps {
  /** The text as typed ("30m"); the parent reads it with readTimeLimit too, to send or block. */
  value: string;
  /** The chosen session's own limit, in ms: when shorter, the line under the field says it counts. */
  sessionLimitMs: number | null | undefined;
  disabled?: boolean;
  onChange: (text: string) => void;
}

/**
 * A run's time limit per object, as text: the run dialog's and the job editor's. What is wrong
 * with it is said under it, in the words of `minke run --timeout`.
 */
export function TimeLimitField({ value, sessionLimitMs, disabled, onChange }: TimeLimitFieldProps) {
  const input = readTimeLimit(value);
  return (
    <TextField
      label="Time limit"
      name="time-limit"
      value={value}
      onChange={(e) => onChange(e.target.value)}
      placeholder="e.g. 30m"
      error={'error' in input}
      helperText={timeLimitHelp(input, sessionLimitMs)}
      disabled={disabled}
      fullWidth
      size="small"
      autoComplete="off"
      data-testid="time-limit-field"
    />
  );
}
