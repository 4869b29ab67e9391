import { useEffect, useMemo, useState } from 'react';
import {
  Alert,
  Box,
  Button,
  Dialog,
  DialogActions,
  DialogContent,
  DialogTitle,
  FormControl,
  FormHelperText,
  InputLabel,
  LinearProgress,
  ListSubheader,
  MenuItem,
  Select,
  Stack,
  Typography,
} from '@mui/material';
import { ApiError, api } from '../api/http.js';
import { getSessions } from '../api/metadata.js';
import type { SessionMeta, StartedRun } from '@minke/contract';
import { SchemaForm } from '../schema-form/schema-form.js';
import {
  formData,
  formFields,
  initialValues,
  validateForm,
  type FormValues,
} from '../schema-form/form-fields.js';
import { groupSessions } from './session-groups.js';

export interface RunTarget {
  id: number;
  label: string;
}

export interface RunSessionDialogProps {
  model: string;
  open: boolean;
  /** The selected objects, in list order. */
  targets: readonly RunTarget[];
  onClose: () => void;
  onStarted: (run: StartedRun, session: SessionMeta) => void;
}

type Step = 'session' | 'confirm';

/**
 * Run a session on the selected objects: pick a session (grouped, only those the user may run
 * here), fill in its form, confirm the objects (untick some), start. As the original's
 * session select, form page and confirm checkboxes, in one dialog.
 */
export function RunSessionDialog({
  model,
  open,
  targets,
  onClose,
  onStarted,
}: RunSessionDialogProps) {
  const [sessions, setSessions] = useState<SessionMeta[] | undefined>();
  const [loadError, setLoadError] = useState<string | undefined>();
  const [name, setName] = useState('');
  const [values, setValues] = useState<FormValues>({});
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [step, setStep] = useState<Step>('session');
  const [unticked, setUnticked] = useState<Set<number>>(new Set());
  const [busy, setBusy] = useState(false);
  const [submitError, setSubmitError] = useState<string | undefined>();

  useEffect(() => {
    if (!open) return;
    setStep('session');
    setUnticked(new Set());
    setSubmitError(undefined);
    let live = true;
    getSessions(model).then(
      (list) => live && setSessions(list),
      (error: unknown) => live && setLoadError((error as Error).message),
    );
    return () => {
      live = false;
    };
  }, [open, model]);

  const groups = useMemo(() => groupSessions(sessions ?? [], model), [sessions, model]);
  const session = sessions?.find((s) => s.name === name);
  const fields = useMemo(() => formFields(session?.form), [session]);

  const choose = (next: string) => {
    setName(next);
    const chosen = sessions?.find((s) => s.name === next);
    setValues(initialValues(formFields(chosen?.form)));
    setErrors({});
    setSubmitError(undefined);
  };

  const chosenTargets = targets.filter((t) => !unticked.has(t.id));

  const next = () => {
    const found = validateForm(fields, values);
    setErrors(found);
    if (Object.keys(found).length === 0) setStep('confirm');
  };

  const run = async () => {
    if (!session || chosenTargets.length === 0) return;
    setBusy(true);
    setSubmitError(undefined);
    try {
      const started = await api<StartedRun>('/api/runs', {
        method: 'POST',
        body: {
          session: session.name,
          model,
          ids: chosenTargets.map((t) => t.id),
          data: formData(fields, values),
        },
      });
      onStarted(started, session);
    } catch (error) {
      if (error instanceof ApiError && Object.keys(error.fields).length > 0) {
        setErrors(error.fields);
        setStep('session');
      }
      setSubmitError((error as Error).message);
    } finally {
      setBusy(false);
    }
  };

  const toggle = (id: number) =>
    setUnticked((old) => {
      const copy = new Set(old);
      if (copy.has(id)) copy.delete(id);
      else copy.add(id);
      return copy;
    });

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
        {step === 'session'
          ? `Run a session on ${targets.length} ${targets.length === 1 ? 'object' : 'objects'}`
          : `Run “${session?.verboseName ?? name}”?`}
      </DialogTitle>
      <DialogContent dividers data-testid="run-dialog">
        {busy ? <LinearProgress sx={{ mb: 2 }} /> : null}
        {loadError ? <Alert severity="error">{loadError}</Alert> : null}
        {submitError ? (
          <Alert severity="error" sx={{ mb: 2 }} data-testid="run-error">
            {submitError}
          </Alert>
        ) : null}
        {step === 'session' ? (
          <Stack spacing={2}>
            {sessions && groups.length === 0 ? (
              <Alert severity="info" data-testid="no-sessions">
                You may not run any session on this model.
              </Alert>
            ) : (
              <FormControl fullWidth size="small">
                <InputLabel id="session-picker-label">Session</InputLabel>
                <Select
                  labelId="session-picker-label"
                  id="session-picker"
                  label="Session"
                  value={name}
                  onChange={(e) => choose(e.target.value)}
                  data-testid="session-picker"
                  MenuProps={{ slotProps: { paper: { 'data-testid': 'session-menu' } as object } }}
                >
                  {groups.flatMap((group) => [
                    ...(group.name
                      ? [<ListSubheader key={`g-${group.name}`}>{group.name}</ListSubheader>]
                      : []),
                    ...group.sessions.map((s) => (
                      <MenuItem
                        key={s.name}
                        value={s.name}
                        title={s.description ?? ''}
                        data-session={s.name}
                        sx={group.name ? { pl: 3 } : undefined}
                      >
                        {s.verboseName}
                      </MenuItem>
                    )),
                  ])}
                </Select>
                {session?.description ? (
                  <FormHelperText>{session.description}</FormHelperText>
                ) : null}
              </FormControl>
            )}
            {session && fields.length > 0 ? (
              <SchemaForm
                fields={fields}
                values={values}
                errors={errors}
                onChange={(field, value) => {
                  setValues((old) => ({ ...old, [field]: value }));
                  setErrors((old) => {
                    const { [field]: _gone, ...rest } = old;
                    return rest;
                  });
                }}
                disabled={busy}
              />
            ) : null}
          </Stack>
        ) : (
          <Box data-testid="run-confirm">
            <Typography variant="body2" sx={{ mb: 1 }}>
              Untick the objects it should not run on.
            </Typography>
            <Stack direction="row" spacing={1} sx={{ mb: 1 }}>
              <Button size="small" onClick={() => setUnticked(new Set())}>
                Tick all
              </Button>
              <Button size="small" onClick={() => setUnticked(new Set(targets.map((t) => t.id)))}>
                Untick all
              </Button>
            </Stack>
            {/* plain checkboxes: hundreds of objects must not cost hundreds of ripples */}
            <Box
              component="ul"
              sx={{ maxHeight: 320, overflow: 'auto', listStyle: 'none', m: 0, p: 0 }}
            >
              {targets.map((target) => (
                <li key={target.id}>
                  <label
                    style={{ display: 'flex', alignItems: 'center', gap: 8, padding: '2px 0' }}
                  >
                    <input
                      type="checkbox"
                      checked={!unticked.has(target.id)}
                      onChange={() => toggle(target.id)}
                      aria-label={target.label}
                    />
                    {target.label}
                  </label>
                </li>
              ))}
            </Box>
          </Box>
        )}
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose} disabled={busy}>
          Cancel
        </Button>
        {step === 'session' ? (
          <Button variant="contained" onClick={next} disabled={!session} data-testid="run-next">
            Next
          </Button>
        ) : (
          <>
            <Button onClick={() => setStep('session')} disabled={busy}>
              Back
            </Button>
            <Button
              variant="contained"
              onClick={() => void run()}
              disabled={busy || chosenTargets.length === 0}
              data-testid="run-start"
            >
              Run on {chosenTargets.length} {chosenTargets.length === 1 ? 'object' : 'objects'}
            </Button>
          </>
        )}
      </DialogActions>
    </Dialog>
  );
}
