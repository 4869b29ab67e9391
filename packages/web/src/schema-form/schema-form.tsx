import {
  Checkbox,
  FormControl,
  FormControlLabel,
  FormHelperText,
  InputLabel,
  MenuItem,
  Select,
  Stack,
  TextField,
} from '@mui/material';
import { Fragment, type ReactNode } from 'react';
import type { FieldSpec, FormValue, FormValues } from './form-fields.js';

export interface SchemaFormProps {
  fields: readonly FieldSpec[];
  values: FormValues;
  errors: Record<string, string>;
  onChange: (name: string, value: FormValue) => void;
  disabled?: boolean;
  /** Renders fields whose choices come from the CMDB (`field.choices`); see src/choices/. */
  renderChoices?: (props: ChoiceRenderProps) => ReactNode;
}

export interface ChoiceRenderProps {
  field: FieldSpec;
  value: FormValue | undefined;
  error: string | undefined;
  onChange: (value: FormValue) => void;
  disabled?: boolean | undefined;
}

/** A session's form, one input per field of its JSON Schema (see form-fields.ts). */
export function SchemaForm({
  fields,
  values,
  errors,
  onChange,
  disabled,
  renderChoices,
}: SchemaFormProps) {
  return (
    <Stack spacing={2} data-testid="session-form">
      {fields.map((field) =>
        field.choices && renderChoices ? (
          <Fragment key={field.name}>
            {renderChoices({
              field,
              value: values[field.name],
              error: errors[field.name],
              onChange: (value) => onChange(field.name, value),
              disabled,
            })}
          </Fragment>
        ) : (
          <SchemaField
            key={field.name}
            field={field}
            value={values[field.name]}
            error={errors[field.name]}
            onChange={(value) => onChange(field.name, value)}
            disabled={disabled}
          />
        ),
      )}
    </Stack>
  );
}

interface SchemaFieldProps {
  field: FieldSpec;
  value: FormValue | undefined;
  error: string | undefined;
  onChange: (value: FormValue) => void;
  disabled?: boolean | undefined;
}

function SchemaField({ field, value, error, onChange, disabled }: SchemaFieldProps) {
  const helper = error ?? field.help;
  const label = field.required ? `${field.label} *` : field.label;
  const id = `session-form-${field.name}`;
  if (field.widget === 'boolean') {
    return (
      <FormControl error={!!error}>
        <FormControlLabel
          control={
            <Checkbox
              checked={value === true}
              onChange={(e) => onChange(e.target.checked)}
              disabled={disabled}
              slotProps={{ input: { name: field.name } }}
            />
          }
          label={field.label}
        />
        {helper ? <FormHelperText>{helper}</FormHelperText> : null}
      </FormControl>
    );
  }
  if (field.widget === 'enum') {
    return (
      <FormControl error={!!error} fullWidth size="small">
        <InputLabel id={`${id}-label`}>{label}</InputLabel>
        <Select
          labelId={`${id}-label`}
          id={id}
          label={label}
          value={typeof value === 'string' ? value : ''}
          onChange={(e) => onChange(e.target.value)}
          disabled={disabled}
          name={field.name}
        >
          {field.required ? null : (
            <MenuItem value="">
              <em>(none)</em>
            </MenuItem>
          )}
          {(field.options ?? []).map((option) => (
            <MenuItem key={option} value={option}>
              {option}
            </MenuItem>
          ))}
        </Select>
        {helper ? <FormHelperText>{helper}</FormHelperText> : null}
      </FormControl>
    );
  }
  const multiline = field.widget === 'textarea' || field.widget === 'json';
  return (
    <TextField
      id={id}
      name={field.name}
      label={label}
      value={typeof value === 'string' ? value : ''}
      onChange={(e) => onChange(e.target.value)}
      error={!!error}
      helperText={helper}
      disabled={disabled}
      fullWidth
      size="small"
      multiline={multiline}
      minRows={multiline ? 3 : undefined}
      type={field.secret && !multiline ? 'password' : undefined}
      autoComplete={field.secret ? 'off' : undefined}
      slotProps={{
        htmlInput: {
          inputMode:
            field.widget === 'integer' ? 'numeric' : field.widget === 'number' ? 'decimal' : 'text',
          spellCheck: multiline ? false : undefined,
          style: multiline ? { fontFamily: 'monospace' } : undefined,
        },
      }}
    />
  );
}
