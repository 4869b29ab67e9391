import type { ReactNode } from 'react';
import { Stack } from '@mui/material';
import { CheckField } from './check-field.js';

/**
 * A part of the job editor that a checkbox switches on (batches, a schedule): its fields show
 * only while it is on, so a job without it is not asked about it.
 */
export function SwitchedFields({
  testId,
  name,
  label,
  on,
  onSwitch,
  children,
}: {
  testId: string;
  /** The checkbox's name, which the browser tests find it by. */
  name: string;
  label: string;
  on: boolean;
  onSwitch: (on: boolean) => void;
  children: ReactNode;
}) {
  return (
    <Stack spacing={2} data-testid={testId}>
      <CheckField name={name} label={label} checked={on} onChange={onSwitch} />
      {on ? children : null}
    </Stack>
  );
}
