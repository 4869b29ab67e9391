import { useState } from 'react';
import { Alert, Button, Dialog, DialogActions, DialogContent, DialogTitle } from '@mui/material';
import { SchemaForm } from '../schema-form/schema-form.js';
import {
  formData,
  initialValues,
  validateForm,
  type FieldSpec,
  type FormValues,
} from '../schema-form/form-fields.js';

export interface RerunSecretsDialogProps {
  title: string;
  /** The form's secret fields: a run never stores them, so a re-run asks for them again. */
  fields: readonly FieldSpec[];
  error: string | undefined;
  fieldErrors: Record<string, string>;
  busy: boolean;
  onCancel: () => void;
  onRun: (data: Record<string, unknown>) => void;
}

/** Asks a re-run's secrets again (the rest of the form data comes from the run). */
export function RerunSecretsDialog(props: RerunSecretsDialogProps) {
  const { fields, busy } = props;
  const [values, setValues] = useState<FormValues>(() => initialValues(fields));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const shownErrors = { ...props.fieldErrors, ...errors };
  const run = () => {
    const found = validateForm(fields, values);
    setErrors(found);
    if (Object.keys(found).length === 0) props.onRun(formData(fields, values));
  };
  return (
    <Dialog open onClose={busy ? undefined : props.onCancel} fullWidth maxWidth="xs">
      <DialogTitle>{props.title}</DialogTitle>
      <DialogContent dividers data-testid="rerun-secrets">
        <Alert severity="info" sx={{ mb: 2 }}>
          Secrets are never stored with a run: give them again. The other values are the run’s.
        </Alert>
        {props.error ? (
          <Alert severity="error" sx={{ mb: 2 }} data-testid="rerun-error">
            {props.error}
          </Alert>
        ) : null}
        <SchemaForm
          fields={fields}
          values={values}
          errors={shownErrors}
          onChange={(name, value) => setValues((old) => ({ ...old, [name]: value }))}
          disabled={busy}
        />
      </DialogContent>
      <DialogActions>
        <Button onClick={props.onCancel} disabled={busy}>
          Cancel
        </Button>
        <Button variant="contained" onClick={run} disabled={busy} data-testid="rerun-start">
          Run again
        </Button>
      </DialogActions>
    </Dialog>
  );
}
