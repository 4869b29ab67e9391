import { Checkbox, FormControlLabel, TextField } from '@mui/material';
import type { FieldSpec } from '../schema-form/form-fields.js';
import { isSecret, type FormValues, type SecretSources } from './job-data.js';

/**
 * The session's form in a job's editor: a value per field, except secret fields, which name a
 * credential (or "(ask)" at launch) and are never stored in clear.
 */
export function JobDataFields({
  fields,
  values,
  secrets,
  onValues,
  onSecrets,
}: {
  fields: readonly FieldSpec[];
  values: FormValues;
  secrets: SecretSources;
  onValues: (values: FormValues) => void;
  onSecrets: (secrets: SecretSources) => void;
}) {
  return (
    <>
      {fields.map((field) =>
        isSecret(field) ? (
          <TextField
            key={field.name}
            label={`${field.label}: credential name, or (ask) at launch`}
            name={`secret-${field.name}`}
            value={secrets[field.name] ?? ''}
            onChange={(e) => onSecrets({ ...secrets, [field.name]: e.target.value })}
            helperText="secret: never stored in clear"
          />
        ) : field.widget === 'boolean' ? (
          <FormControlLabel
            key={field.name}
            control={
              <Checkbox
                checked={values[field.name] === true}
                onChange={(e) => onValues({ ...values, [field.name]: e.target.checked })}
              />
            }
            label={field.label}
          />
        ) : (
          <TextField
            key={field.name}
            label={field.label}
            name={`data-${field.name}`}
            value={values[field.name] ?? ''}
            onChange={(e) => onValues({ ...values, [field.name]: e.target.value })}
            {...(field.help ? { helperText: field.help } : {})}
          />
        ),
      )}
    </>
  );
}
