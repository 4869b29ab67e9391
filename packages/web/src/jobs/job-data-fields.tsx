import { TextField } from '@mui/material';
import type { FieldSpec } from '../schema-form/form-fields.js';
import { isSecret, type FormValues, type SecretSources } from './job-data.js';
import { CheckField } from './check-field.js';

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
          <CheckField
            key={field.name}
            label={field.label}
            checked={values[field.name] === true}
            onChange={(checked) => onValues({ ...values, [field.name]: checked })}
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
