import { Checkbox, FormControlLabel } from '@mui/material';

/** A labelled checkbox of the job editor, as a value and its change (not an event). */
export function CheckField({
  label,
  checked,
  onChange,
  name,
  small = false,
}: {
  label: string;
  checked: boolean;
  onChange: (checked: boolean) => void;
  /** The input's name, which the browser tests find it by. */
  name?: string;
  small?: boolean;
}) {
  return (
    <FormControlLabel
      control={
        <Checkbox
          {...(name === undefined ? {} : { name })}
          {...(small ? { size: 'small' as const } : {})}
          checked={checked}
          onChange={(e) => onChange(e.target.checked)}
        />
      }
      label={label}
    />
  );
}
