import { Box, Button, Stack, Typography } from '@mui/material';
import type { FieldSpec, FormValues } from '../schema-form/form-fields.js';
import { FormSummary } from './form-summary.js';
import { targetName, type RunTarget } from './run-targets.js';
import { perObjectText, wholeRunText } from './time-limit.js';

export interface RunConfirmStepProps {
  targets: readonly RunTarget[];
  unticked: ReadonlySet<number>;
  onUnticked: (next: Set<number>) => void;
  fields: readonly FieldSpec[];
  values: FormValues;
  /** The run's time limit per object, in ms (null: none of its own). */
  timeoutMs: number | null;
  /** The whole run's time limit, in ms (null: none). */
  runTimeoutMs?: number | null;
  /** Which passwords were given for this run (never the passwords); undefined: none. */
  passwordsText?: string | undefined;
}

/**
 * The confirm step of a `confirm` session: the form data it will run with (secrets masked), its
 * time limit if it has one, which passwords were given (not what they are), and each object by a name a person recognises, ticked, to untick some.
 */
export function RunConfirmStep({
  targets,
  unticked,
  onUnticked,
  fields,
  values,
  timeoutMs,
  runTimeoutMs,
  passwordsText,
}: RunConfirmStepProps) {
  const toggle = (id: number) => {
    const copy = new Set(unticked);
    if (copy.has(id)) copy.delete(id);
    else copy.add(id);
    onUnticked(copy);
  };
  return (
    <Box data-testid="run-confirm">
      <FormSummary fields={fields} values={values} />
      {timeoutMs !== null ? (
        <Typography variant="body2" sx={{ mb: 1 }} data-testid="confirm-time-limit">
          {perObjectText(timeoutMs)}.
        </Typography>
      ) : null}
      {runTimeoutMs ? (
        <Typography variant="body2" sx={{ mb: 1 }} data-testid="confirm-run-limit">
          {wholeRunText(runTimeoutMs)}: then what still runs stops, and what has not started never
          starts.
        </Typography>
      ) : null}
      {passwordsText ? (
        <Typography variant="body2" sx={{ mb: 1 }} data-testid="confirm-passwords">
          {passwordsText}
        </Typography>
      ) : null}
      <Typography variant="body2" sx={{ mb: 1 }}>
        Untick the objects it should not run on.
      </Typography>
      <Stack direction="row" spacing={1} sx={{ mb: 1 }}>
        <Button size="small" onClick={() => onUnticked(new Set())}>
          Tick all
        </Button>
        <Button size="small" onClick={() => onUnticked(new Set(targets.map((t) => t.id)))}>
          Untick all
        </Button>
      </Stack>
      {/* plain checkboxes: hundreds of objects must not cost hundreds of ripples */}
      <Box component="ul" sx={{ maxHeight: 320, overflow: 'auto', listStyle: 'none', m: 0, p: 0 }}>
        {targets.map((target) => (
          <li key={target.id}>
            <label style={{ display: 'flex', alignItems: 'center', gap: 8, padding: '2px 0' }}>
              <input
                type="checkbox"
                checked={!unticked.has(target.id)}
                onChange={() => toggle(target.id)}
                aria-label={targetName(target)}
              />
              {targetName(target)}
            </label>
          </li>
        ))}
      </Box>
    </Box>
  );
}
