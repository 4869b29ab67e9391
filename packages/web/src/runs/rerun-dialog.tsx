import { useState } from 'react';
import {
  Alert,
  Button,
  Checkbox,
  Dialog,
  DialogActions,
  DialogContent,
  DialogTitle,
  FormControlLabel,
  Stack,
} from '@mui/material';
import { SchemaForm } from '../schema-form/schema-form.js';
import {
  formData,
  initialValues,
  validateForm,
  type FieldSpec,
  type FormValues,
} from '../schema-form/form-fields.js';
import { NO_PASSWORDS, runConnectionOf } from './run-passwords.js';
import { RunPasswordsFields } from './run-passwords-fields.js';
import { RunLimitFields } from './time-limit-field.js';
import { useRunLimits } from './use-run-limits.js';

/** What a re-run is sent with: only what differs from the run (a limit left alone is not sent). */
export interface RerunChoice {
  failedOnly: boolean;
  data: Record<string, unknown>;
  /** Another limit in ms, null for none; undefined keeps the run's. */
  timeoutMs?: number | null;
  /** Another limit for the whole run, likewise. */
  runTimeoutMs?: number | null;
  /** Passwords for the new run (its run-time connection layer); undefined: none given. */
  connection?: Record<string, unknown> | undefined;
}

export interface RerunDialogProps {
  title: string;
  /** The form's secret fields: a run never stores them, so a re-run asks for them again. */
  fields: readonly FieldSpec[];
  /** The run's time limit as the field shows it ("30 min"; empty: none). */
  timeLimit: string;
  /** The whole run's limit, likewise. */
  runLimit: string;
  /** The session's own limit, in ms: the field says when it is shorter and counts. */
  sessionLimitMs: number | null | undefined;
  /**
   * The run was started with values never stored (secret fields, passwords): say so, and open
   * the passwords when it has no secret fields (then they can only have been passwords).
   */
  hadSecrets: boolean;
  /** "Failed only" as the button chose it, or, to choose here, how many did not succeed. */
  failedOnly: boolean | { failed: number };
  error: string | undefined;
  fieldErrors: Record<string, string>;
  busy: boolean;
  onCancel: () => void;
  onRun: (choice: RerunChoice) => void;
}

/**
 * A re-run's dialog: the secrets asked again (the rest of the form data comes from the run),
 * the time limit (the run's, to change or clear), passwords for the new run and, from _Change
 * and re-run_, which objects.
 */
export function RerunDialog(props: RerunDialogProps) {
  const { fields, busy } = props;
  const [values, setValues] = useState<FormValues>(() => initialValues(fields));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const limits = useRunLimits(props.timeLimit, props.runLimit);
  const [passwords, setPasswords] = useState(NO_PASSWORDS);
  const choosable = typeof props.failedOnly === 'object' ? props.failedOnly : undefined;
  const [failedOnly, setFailedOnly] = useState(
    choosable ? choosable.failed > 0 : props.failedOnly === true,
  );
  // A limit left as the run's is not sent: the run's holds.
  const changed = (text: string, runs: string) => text.trim() !== runs.trim();
  const shownErrors = { ...props.fieldErrors, ...errors };
  const run = () => {
    const found = validateForm(fields, values);
    setErrors(found);
    if (Object.keys(found).length > 0 || !limits.valid) return;
    const { perObject, wholeRun } = limits.fields;
    props.onRun({
      failedOnly,
      data: formData(fields, values),
      ...(changed(perObject, props.timeLimit) ? { timeoutMs: limits.timeoutMs ?? null } : {}),
      ...(changed(wholeRun, props.runLimit) ? { runTimeoutMs: limits.runTimeoutMs ?? null } : {}),
      connection: runConnectionOf(passwords),
    });
  };
  return (
    <Dialog open onClose={busy ? undefined : props.onCancel} fullWidth maxWidth="xs">
      <DialogTitle>{props.title}</DialogTitle>
      <DialogContent dividers data-testid="rerun-dialog">
        {fields.length > 0 || props.hadSecrets ? (
          <Alert severity="info" sx={{ mb: 2 }} data-testid="rerun-secrets-note">
            {props.hadSecrets
              ? 'This run was started with secrets (secret fields or passwords), which are never stored: give them again. '
              : 'Secrets are never stored with a run: give them again. '}
            The other values are the run’s.
          </Alert>
        ) : null}
        {props.error ? (
          <Alert severity="error" sx={{ mb: 2 }} data-testid="rerun-error">
            {props.error}
          </Alert>
        ) : null}
        <Stack spacing={2}>
          {choosable ? (
            <FormControlLabel
              control={
                <Checkbox
                  checked={failedOnly}
                  onChange={(e) => setFailedOnly(e.target.checked)}
                  disabled={busy || choosable.failed === 0}
                  data-testid="rerun-failed-only"
                />
              }
              label={`Only the ${choosable.failed} that did not succeed`}
            />
          ) : null}
          <SchemaForm
            fields={fields}
            values={values}
            errors={shownErrors}
            onChange={(name, value) => setValues((old) => ({ ...old, [name]: value }))}
            disabled={busy}
          />
          <RunLimitFields
            {...limits.fields}
            sessionLimitMs={props.sessionLimitMs}
            disabled={busy}
          />
          <RunPasswordsFields
            value={passwords}
            onChange={setPasswords}
            disabled={busy}
            defaultExpanded={props.hadSecrets && fields.length === 0}
          />
        </Stack>
      </DialogContent>
      <DialogActions>
        <Button onClick={props.onCancel} disabled={busy}>
          Cancel
        </Button>
        <Button
          variant="contained"
          onClick={run}
          disabled={busy || !limits.valid}
          data-testid="rerun-start"
        >
          Run again
        </Button>
      </DialogActions>
    </Dialog>
  );
}
