import { useState } from 'react';
import { Button, Stack } from '@mui/material';
import ReplayIcon from '@mui/icons-material/Replay';
import { useNotify } from 'react-admin';
import type { StartedRun } from '@minke/contract';
import { getSessions } from '../api/metadata.js';
import { formFields, type FieldSpec } from '../schema-form/form-fields.js';
import { RerunSecretsDialog } from './rerun-secrets-dialog.js';
import { postRun, type StartFailure } from './start-run-request.js';

export interface RerunButtonsProps {
  runId: number;
  session: string;
  model: string;
  /** Sessions of the run that did not complete without error: "failed only" needs one. */
  failed: number;
  /** The run has ended: re-running a run still going would double it up. */
  finished: boolean;
  onStarted: (run: StartedRun) => void;
}

/** The secret fields of a session's form (empty when it has none, or it cannot be read). */
async function secretFields(session: string, model: string): Promise<FieldSpec[]> {
  const meta = (await getSessions(model)).find((s) => s.name === session);
  return formFields(meta?.form).filter((f) => f.secret);
}

/**
 * **Re-run** and **Re-run failed only**: the same session on the same objects (or on those that
 * did not succeed) with the same form data; secrets, never stored, are asked again first.
 */
export function RerunButtons({
  runId,
  session,
  model,
  failed,
  finished,
  onStarted,
}: RerunButtonsProps) {
  const notify = useNotify();
  const [asking, setAsking] = useState<{ failedOnly: boolean; fields: FieldSpec[] }>();
  const [failure, setFailure] = useState<StartFailure>();
  const [busy, setBusy] = useState(false);

  const send = async (failedOnly: boolean, data?: Record<string, unknown>) => {
    setBusy(true);
    const outcome = await postRun(`/api/runs/${runId}/rerun`, {
      failedOnly,
      ...(data ? { data } : {}),
    });
    setBusy(false);
    if ('started' in outcome) {
      setAsking(undefined);
      setFailure(undefined);
      onStarted(outcome.started);
    } else if (asking) setFailure(outcome.failure);
    else notify(outcome.failure.message, { type: 'error' });
  };

  const start = async (failedOnly: boolean) => {
    const fields = await secretFields(session, model).catch(() => []);
    if (fields.length > 0) setAsking({ failedOnly, fields });
    else await send(failedOnly);
  };

  return (
    <Stack direction="row" spacing={1}>
      <Button
        size="small"
        startIcon={<ReplayIcon />}
        disabled={!finished || busy}
        onClick={() => void start(false)}
        data-testid="rerun"
      >
        Re-run
      </Button>
      <Button
        size="small"
        startIcon={<ReplayIcon />}
        disabled={!finished || busy || failed === 0}
        onClick={() => void start(true)}
        data-testid="rerun-failed"
      >
        Re-run failed only
      </Button>
      {asking ? (
        <RerunSecretsDialog
          title={asking.failedOnly ? 'Re-run the failed sessions' : 'Re-run'}
          fields={asking.fields}
          error={failure?.message}
          fieldErrors={failure?.fields ?? {}}
          busy={busy}
          onCancel={() => {
            setAsking(undefined);
            setFailure(undefined);
          }}
          onRun={(data) => void send(asking.failedOnly, data)}
        />
      ) : null}
    </Stack>
  );
}
