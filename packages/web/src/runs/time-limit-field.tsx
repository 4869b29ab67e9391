import { Stack, TextField } from '@mui/material';
import { readTimeLimit, runLimitHelp, timeLimitHelp } from './time-limit.js';

export interface TimeLimitFieldProps {
  /** The text as typed ("30m"); the parent reads it with readTimeLimit too, to send or block. */
  value: string;
  /** The chosen session's own limit, in ms: when shorter, the line under the field says it counts. */
  sessionLimitMs: number | null | undefined;
  disabled?: boolean;
  onChange: (text: string) => void;
  /** The whole run's limit (`--run-timeout`) rather than the one per object. */
  wholeRun?: boolean;
}

/**
 * A run's time limit per object, as text: the run dialog's and the job editor's; or, with
 * `wholeRun`, the limit of the whole run. What is wrong with it is said under it, in the words
 * of `minke run --timeout`.
 */
export function TimeLimitField({
  value,
  sessionLimitMs,
  disabled,
  onChange,
  wholeRun,
}: TimeLimitFieldProps) {
  const input = readTimeLimit(value);
  return (
    <TextField
      label={wholeRun ? 'Whole run limit' : 'Time limit'}
      name={wholeRun ? 'run-time-limit' : 'time-limit'}
      value={value}
      onChange={(e) => onChange(e.target.value)}
      placeholder={wholeRun ? 'e.g. 2h' : 'e.g. 30m'}
      error={'error' in input}
      helperText={wholeRun ? runLimitHelp(input) : timeLimitHelp(input, sessionLimitMs)}
      disabled={disabled}
      fullWidth
      size="small"
      autoComplete="off"
      data-testid={wholeRun ? 'run-limit-field' : 'time-limit-field'}
    />
  );
}

export interface RunLimitFieldsProps {
  /** The limit per object, as typed. */
  perObject: string;
  /** The whole run's limit, as typed. */
  wholeRun: string;
  sessionLimitMs: number | null | undefined;
  disabled?: boolean;
  onPerObject: (text: string) => void;
  onWholeRun: (text: string) => void;
}

/** A run's two limits side by side (one above the other on a phone): per object, and whole. */
export function RunLimitFields(props: RunLimitFieldsProps) {
  const { sessionLimitMs, disabled } = props;
  return (
    <Stack direction={{ xs: 'column', sm: 'row' }} spacing={2}>
      <TimeLimitField
        value={props.perObject}
        sessionLimitMs={sessionLimitMs}
        disabled={disabled}
        onChange={props.onPerObject}
      />
      <TimeLimitField
        value={props.wholeRun}
        sessionLimitMs={sessionLimitMs}
        disabled={disabled}
        onChange={props.onWholeRun}
        wholeRun
      />
    </Stack>
  );
}
