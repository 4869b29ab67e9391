import { Stack, TextField } from '@mui/material';
import type { BatchErrors, BatchState } from './job-form-state.js';
import { SwitchedFields } from './switched-fields.js';

/** The typed values of a batch policy: each its own box, with the hint shown while it is valid. */
const BATCH_BOXES: readonly {
  key: keyof BatchErrors;
  label: string;
  /** The input's name, which the browser tests find it by. */
  name: string;
  hint: string;
}[] = [
  {
    key: 'size',
    label: 'Batch size',
    name: 'batch-size',
    hint: 'a count (5) or a share of the objects (25%)',
  },
  {
    key: 'pause',
    label: 'Pause between batches',
    name: 'batch-pause',
    hint: 'seconds; empty for none',
  },
  {
    key: 'maxFail',
    label: 'Failure budget',
    name: 'batch-max-fail',
    hint: 'failures allowed (2, or 10%) before no new batch starts; empty for no budget',
  },
];

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
    <SwitchedFields
      testId="batch-fields"
      name="batched"
      label="Roll out in batches"
      on={value.on}
      onSwitch={(on) => onChange({ ...value, on })}
    >
      <Stack direction={{ xs: 'column', sm: 'row' }} spacing={2}>
        {BATCH_BOXES.map(({ key, label, name, hint }) => (
          <TextField
            key={key}
            label={label}
            name={name}
            value={value[key]}
            onChange={(e) => onChange({ ...value, [key]: e.target.value })}
            error={errors[key] !== undefined}
            helperText={errors[key] ?? hint}
          />
        ))}
      </Stack>
    </SwitchedFields>
  );
}
