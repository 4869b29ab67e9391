import { useState } from 'react';
import { Button, Stack } from '@mui/material';
import ReplayIcon from '@mui/icons-material/Replay';
import TuneIcon from '@mui/icons-material/Tune';
import { useNotify } from 'react-admin';
import { timeLimitText, type RunSessionsPage, type StartedRun } from '@minke/contract';
import { api } from '../api/http.js';
import { getSessions } from '../api/metadata.js';
import { formFields, type FieldSpec } from '../schema-form/form-fields.js';
import { RerunDialog, type RerunChoice } from './rerun-dialog.js';
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

/** What the dialog starts from: the session's secret fields and limit, the run's limit. */
interface RerunContext extends RunSide {
  fields: FieldSpec[];
  sessionLimitMs: number | null | undefined;
}

/** What the re-run takes from the run: its limit as the field shows it, and if it had secrets. */
interface RunSide {
  timeLimit: string;
  runLimit: string;
  hadSecrets: boolean;
}

/** The session's secret fields (asked again) and its own limit; empty when it cannot be read. */
async function sessionSide(
  session: string,
  model: string,
): Promise<Pick<RerunContext, 'fields' | 'sessionLimitMs'>> {
  const meta = (await getSessions(model)).find((s) => s.name === session);
  return {
    fields: formFields(meta?.form).filter((f) => f.secret),
    sessionLimitMs: meta?.timeoutMs,
  };
}

/** The run's own limit and whether it had secrets, from its first page of sessions. */
async function runSide(runId: number): Promise<RunSide> {
  const { run } = await api<RunSessionsPage>(`/api/runs/${runId}/sessions?limit=1`);
  return {
    timeLimit: run.timeoutMs ? timeLimitText(run.timeoutMs) : '',
    runLimit: run.runTimeoutMs ? timeLimitText(run.runTimeoutMs) : '',
    hadSecrets: run.hasSecretValues === true,
  };
}

/**
 * **Re-run** and **Re-run failed only**: the same session on the same objects (or on those that
 * did not succeed) with the same form data and time limit; secrets (secret fields, passwords),
 * never stored, are asked again first. **Change and re-run** opens the dialog to choose the
 * objects and another limit.
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
  const [asking, setAsking] = useState<
    RerunContext & { failedOnly: boolean | { failed: number } }
  >();
  const [failure, setFailure] = useState<StartFailure>();
  const [busy, setBusy] = useState(false);

  const send = async ({ failedOnly, data, timeoutMs, runTimeoutMs, connection }: RerunChoice) => {
    setBusy(true);
    const outcome = await postRun(`/api/runs/${runId}/rerun`, {
      failedOnly,
      ...(Object.keys(data).length > 0 ? { data } : {}),
      ...(timeoutMs === undefined ? {} : { timeoutMs }),
      ...(runTimeoutMs === undefined ? {} : { runTimeoutMs }),
      ...(connection === undefined ? {} : { connection }),
    });
    setBusy(false);
    if ('started' in outcome) {
      setAsking(undefined);
      setFailure(undefined);
      onStarted(outcome.started);
    } else if (asking) setFailure(outcome.failure);
    else notify(outcome.failure.message, { type: 'error' });
  };

  /** The dialog when asked for, or when secrets must be given again; else the re-run at once. */
  const start = async (failedOnly: boolean | { failed: number }) => {
    const [fromSession, fromRun] = await Promise.all([
      sessionSide(session, model).catch(() => ({ fields: [], sessionLimitMs: undefined })),
      runSide(runId).catch(() => ({ timeLimit: '', runLimit: '', hadSecrets: false })),
    ]);
    const mustAsk = fromSession.fields.length > 0 || fromRun.hadSecrets;
    if (typeof failedOnly === 'boolean' && !mustAsk) return send({ failedOnly, data: {} });
    setAsking({ ...fromSession, ...fromRun, failedOnly });
  };

  const title =
    typeof asking?.failedOnly === 'object'
      ? 'Change and re-run'
      : asking?.failedOnly
        ? 'Re-run the failed sessions'
        : 'Re-run';
  return (
    // On a phone the three wrap whole rather than break their words.
    <Stack
      direction="row"
      spacing={1}
      useFlexGap
      sx={{ flexWrap: 'wrap', '& > button': { whiteSpace: 'nowrap' } }}
    >
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
      <Button
        size="small"
        startIcon={<TuneIcon />}
        disabled={!finished || busy}
        onClick={() => void start({ failed })}
        data-testid="rerun-change"
      >
        Change and re-run
      </Button>
      {asking ? (
        <RerunDialog
          title={title}
          fields={asking.fields}
          timeLimit={asking.timeLimit}
          runLimit={asking.runLimit}
          hadSecrets={asking.hadSecrets}
          sessionLimitMs={asking.sessionLimitMs}
          failedOnly={asking.failedOnly}
          error={failure?.message}
          fieldErrors={failure?.fields ?? {}}
          busy={busy}
          onCancel={() => {
            setAsking(undefined);
            setFailure(undefined);
          }}
          onRun={(choice) => void send(choice)}
        />
      ) : null}
    </Stack>
  );
}
