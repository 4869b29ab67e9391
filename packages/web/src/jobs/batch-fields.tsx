import { Stack, TextField } from '@mui/material';
import type { BatchErrors, BatchState } from './job-form-state.js';
import { CheckField } from './check-field.js';

/**
 * A job's batch policy: rolling batches of a count or a share of the objects, a pause between
 * batches, a failure budget (count or share) after which no new batch starts. What is wrong with
 * a value is said under its field, by the same rules as the API's.
 */
export function BatchFields({
  value,
  errors,
  onChange,
}: {
  value: BatchState;
  errors: BatchErrors;
  onChange: (next: BatchState) => void;
}) {
  return (
    <Stack spacing={2} data-testid="batch-fields">
      <CheckField
        name="batched"
        label="Roll out in batches"
        checked={value.on}
        onChange={(on) => onChange({ ...value, on })}
      />
      {value.on ? (
        <Stack direction={{ xs: 'column', sm: 'row' }} spacing={2}>
          <TextField
            label="Batch size"
            name="batch-size"
            value={value.size}
            onChange={(e) => onChange({ ...value, size: e.target.value })}
            error={errors.size !== undefined}
            helperText={errors.size ?? 'a count (5) or a share of the objects (25%)'}
          />
          <TextField
            label="Pause between batches"
            name="batch-pause"
            value={value.pause}
            onChange={(e) => onChange({ ...value, pause: e.target.value })}
            error={errors.pause !== undefined}
            helperText={errors.pause ?? 'seconds; empty for none'}
          />
          <TextField
            label="Failure budget"
            name="batch-max-fail"
            value={value.maxFail}
            onChange={(e) => onChange({ ...value, maxFail: e.target.value })}
            error={errors.maxFail !== undefined}
            helperText={
              errors.maxFail ??
              'failures allowed (2, or 10%) before no new batch starts; empty for no budget'
            }
          />
        </Stack>
      ) : null}
    </Stack>
  );
}
