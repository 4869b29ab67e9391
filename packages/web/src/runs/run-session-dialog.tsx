import { useEffect, useMemo, useState } from 'react';
import { Alert, Dialog, DialogContent, DialogTitle, LinearProgress, Stack } from '@mui/material';
import type { SessionMeta, StartedRun } from '@minke/contract';
import { ChoiceSelect } from '../choices/choice-select.js';
import { SchemaForm } from '../schema-form/schema-form.js';
import { formData, formFields, initialValues, validateForm } from '../schema-form/form-fields.js';
import type { FormValues } from '../schema-form/form-fields.js';
import { RunConfirmStep } from './run-confirm-step.js';
import { RunDialogActions } from './run-dialog-actions.js';
import type { RunTarget } from './run-targets.js';
import { groupSessions } from './session-groups.js';
import { SessionPicker } from './session-picker.js';
import { NO_PASSWORDS, passwordsGivenText, runConnectionOf } from './run-passwords.js';
import { RunPasswordsFields } from './run-passwords-fields.js';
import { postRun } from './start-run-request.js';
import { RunLimitFields } from './time-limit-field.js';
import { useRunLimits } from './use-run-limits.js';
import { useRunSessions } from './use-run-sessions.js';

export type { RunTarget } from './run-targets.js';

export interface RunSessionDialogProps {
  model: string;
  open: boolean;
  /** The selected objects, in list order. */
  targets: readonly RunTarget[];
  onClose: () => void;
  onStarted: (run: StartedRun, session: SessionMeta) => void;
}

const objects = (n: number) => `${n} ${n === 1 ? 'object' : 'objects'}`;

/**
 * Run a session on the selected objects: pick a session (grouped, only those the user may run
 * here), fill in its form and, if wanted, time limits (per object, and for the whole run) and
 * passwords for this run, start. A session marked
 * `confirm` shows a confirm step first: the form data, the limit and the objects, to untick some.
 * Without `confirm` the run starts from the form.
 */
export function RunSessionDialog({
  model,
  open,
  targets,
  onClose,
  onStarted,
}: RunSessionDialogProps) {
  const { sessions, loadError } = useRunSessions(model, open);
  const [name, setName] = useState('');
  const [values, setValues] = useState<FormValues>({});
  const [errors, setErrors] = useState<Record<string, string>>({});
  const limits = useRunLimits();
  const [passwords, setPasswords] = useState(NO_PASSWORDS);
  const [confirming, setConfirming] = useState(false);
  const [unticked, setUnticked] = useState<Set<number>>(new Set());
  const [busy, setBusy] = useState(false);
  const [submitError, setSubmitError] = useState<string | undefined>();

  useEffect(() => {
    // Passwords are kept no longer than the dialog is open.
    setPasswords(NO_PASSWORDS);
    if (!open) return;
    setConfirming(false);
    setUnticked(new Set());
    setSubmitError(undefined);
  }, [open]);

  const groups = useMemo(() => groupSessions(sessions ?? [], model), [sessions, model]);
  const session = sessions?.find((s) => s.name === name);
  const fields = useMemo(() => formFields(session?.form), [session]);
  const chosen = targets.filter((t) => !unticked.has(t.id));
  const timeoutMs = limits.timeoutMs ?? null;
  const runTimeoutMs = limits.runTimeoutMs ?? null;

  const choose = (next: string) => {
    setName(next);
    setValues(initialValues(formFields(sessions?.find((s) => s.name === next)?.form)));
    setErrors({});
    setSubmitError(undefined);
  };

  const formIsValid = () => {
    const found = validateForm(fields, values);
    setErrors(found);
    return Object.keys(found).length === 0;
  };

  const run = async () => {
    if (!session || chosen.length === 0 || !limits.valid) return;
    setBusy(true);
    setSubmitError(undefined);
    const connection = runConnectionOf(passwords);
    const body = {
      session: session.name,
      model,
      ids: chosen.map((t) => t.id),
      data: formData(fields, values),
      ...(timeoutMs === null ? {} : { timeoutMs }),
      ...(runTimeoutMs === null ? {} : { runTimeoutMs }),
      ...(connection === undefined ? {} : { connection }),
    };
    const outcome = await postRun('/api/runs', body);
    setBusy(false);
    if ('started' in outcome) return onStarted(outcome.started, session);
    setErrors(outcome.failure.fields);
    if (Object.keys(outcome.failure.fields).length > 0) setConfirming(false);
    setSubmitError(outcome.failure.message);
  };

  return (
    <Dialog
      open={open}
      onClose={busy ? undefined : onClose}
      fullWidth
      maxWidth="sm"
      // giving focus back to the button lays out the whole list again: slow with 600 rows
      disableRestoreFocus
    >
      <DialogTitle>
        {confirming
          ? `Run “${session?.verboseName ?? name}”?`
          : `Run a session on ${objects(targets.length)}`}
      </DialogTitle>
      <DialogContent dividers data-testid="run-dialog">
        {busy ? <LinearProgress sx={{ mb: 2 }} /> : null}
        {loadError ? <Alert severity="error">{loadError}</Alert> : null}
        {submitError ? (
          <Alert severity="error" sx={{ mb: 2 }} data-testid="run-error">
            {submitError}
          </Alert>
        ) : null}
        {confirming ? (
          <RunConfirmStep
            targets={targets}
            unticked={unticked}
            onUnticked={setUnticked}
            fields={fields}
            values={values}
            timeoutMs={timeoutMs}
            runTimeoutMs={runTimeoutMs}
            passwordsText={passwordsGivenText(passwords)}
          />
        ) : (
          <Stack spacing={2}>
            <SessionPicker
              groups={groups}
              loaded={sessions !== undefined}
              value={name}
              session={session}
              onChange={choose}
            />
            {session && fields.length > 0 ? (
              <SchemaForm
                fields={fields}
                values={values}
                errors={errors}
                onChange={(field, value) => {
                  setValues((old) => ({ ...old, [field]: value }));
                  setErrors(({ [field]: _gone, ...rest }) => rest);
                }}
                disabled={busy}
                renderChoices={(props) => (
                  <ChoiceSelect
                    {...props}
                    session={session.name}
                    model={model}
                    ids={chosen.map((t) => t.id)}
                  />
                )}
              />
            ) : null}
            {session ? (
              <RunLimitFields
                {...limits.fields}
                sessionLimitMs={session.timeoutMs}
                disabled={busy}
              />
            ) : null}
            {session ? (
              <RunPasswordsFields value={passwords} onChange={setPasswords} disabled={busy} />
            ) : null}
          </Stack>
        )}
      </DialogContent>
      <RunDialogActions
        busy={busy}
        needsConfirm={session?.confirm === true}
        confirming={confirming}
        count={chosen.length}
        canStart={session !== undefined && limits.valid}
        onCancel={onClose}
        onBack={() => setConfirming(false)}
        onNext={() => formIsValid() && setConfirming(true)}
        onStart={() => (confirming || formIsValid()) && void run()}
      />
    </Dialog>
  );
}
