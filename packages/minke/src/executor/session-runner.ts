import { timeLimitText } from '@minke/contract/time-limit';
import { isMinkeError, isSessionError, sessionErrorMessages } from '../errors.js';
import type { Logger } from '../logger.js';
import { coerceFromText } from '../model/record-codec.js';
import type { RecordRef } from '../runs/run-journal.js';
import { preformattedMessage, type SessionMessage } from '../session/messages.js';
import { timedOutText } from '../session/own-time-limit.js';
import type { Session } from '../session/session.js';
import type { SessionContext } from '../session/session-context.js';
import type { ProcessState, SessionResult } from '../session/status.js';
import { StopRequested } from '../session/stop-requested.js';
import { isTransportError } from '../transport/transport-error.js';
import type { Transport } from '../transport/transport.js';
import type { SessionRunDeps } from './executor-deps.js';
import type { RunPlan, SessionJob } from './executor.js';

export interface StopControls {
  stop: AbortController;
  kill: AbortController;
}

export interface RunnerDeps extends Pick<SessionRunDeps, 'journal' | 'objects' | 'debug'> {
  logger: Logger;
}

/** The run's part of a plan that one session record needs. */
export type JobPlan = Pick<
  RunPlan,
  'runId' | 'session' | 'model' | 'data' | 'timeoutMs' | 'runLimit'
>;

/**
 * Runs one session record from start to end state: builds the session, calls `process()`, and
 * turns what happened into a process state, a result and messages the user can read.
 */
export async function runSessionJob(
  deps: RunnerDeps,
  plan: JobPlan,
  hostName: string,
  job: SessionJob,
  transport: () => Promise<Transport>,
  controls: StopControls,
): Promise<void> {
  const { journal } = deps;
  const ids = { runId: plan.runId, recordId: job.recordId };
  const ref: RecordRef = { ...ids, objectId: job.objectId, objectLabel: job.objectLabel, hostName };
  const { runLimit } = plan;
  if (runLimit && Date.now() >= runLimit.endsAt) {
    // Its turn came after the whole run's time was up: it never starts.
    await journal.cancelWaiting(
      ref,
      `the whole run's limit of ${timeLimitText(runLimit.ms)} passed before it started`,
    );
    return;
  }
  if (!(await journal.recordStarted(ref))) return; // canceled while it waited
  const started = Date.now();

  const addMessage = (message: SessionMessage) => journal.message(ids, message);
  const deadline = sessionDeadline(timeLimitOf(plan), controls);

  let state: ProcessState = 'completed';
  let result: SessionResult = 'success';
  let session: Session | undefined;
  try {
    const obj = await deps.objects.get(plan.model, job.objectId);
    const context: SessionContext = {
      obj,
      data: { ...plan.data },
      connection: await transport(),
      recorder: {
        commandStarted: (command) => journal.commandStarted(ids, command),
        output: (stream, chunk, skipped) => journal.output(ids, stream, chunk, skipped),
        outputSpill: () => journal.runs.outputWriter(job.recordId),
        command: (commandResult) => journal.commandFinished(ids, commandResult),
        message: addMessage,
      },
      stopSignal: controls.stop.signal,
      killSignal: controls.kill.signal,
      updateObject: (values) =>
        deps.objects.update(plan.model, job.objectId, coerceToFields(deps, plan.model, values), {
          session: plan.session.name,
          runId: plan.runId,
        }),
    };
    const SessionClass = plan.session.cls as unknown as new (context: SessionContext) => Session;
    session = new SessionClass(context);
    await session.process();
    result = session.status ?? 'success';
    if (controls.stop.signal.aborted) [state, result] = ['stopped', 'error'];
  } catch (error) {
    [state, result] = await outcomeOf(error, deps, job, controls, addMessage, started);
  } finally {
    deadline.clear();
  }
  if (deadline.passed && deadline.limit) {
    // Past its limit it was stopped by Minke, not by a user: a failure to see, not a grey stop.
    [state, result] = ['failed', 'error'];
    await addMessage(
      preformattedMessage(
        timedOutText(`the ${deadline.limit.of}'s`, deadline.limit.shownMs),
        'error',
      ),
    );
  }
  const durationMs = Date.now() - started;
  const message =
    state === 'stopped'
      ? preformattedMessage(`stopped after ${(durationMs / 1000).toFixed(1)} s`, 'error')
      : undefined;
  await journal.recordFinished(ref, { processState: state, result, durationMs, message });
}

/**
 * A time limit and whose it is: the session class's, the run's per object, or the whole run's
 * (given at its start). `ms` is what is left of it; `shownMs` the limit as given, for messages.
 */
interface TimeLimit {
  readonly ms: number;
  readonly of: 'session' | 'run' | 'whole run';
  readonly shownMs: number;
}

interface Deadline {
  readonly passed: boolean;
  /** None: the session runs as long as it takes. */
  readonly limit: TimeLimit | undefined;
  clear(): void;
}

/**
 * The limit that counts, the first to end: the session class's, the run's per object or the
 * whole run's.
 */
function timeLimitOf(plan: JobPlan): TimeLimit | undefined {
  const limits: TimeLimit[] = [];
  const own = plan.session.timeoutMs;
  if (own !== undefined) limits.push({ ms: own, of: 'session', shownMs: own });
  if (plan.timeoutMs !== undefined)
    limits.push({ ms: plan.timeoutMs, of: 'run', shownMs: plan.timeoutMs });
  if (plan.runLimit) {
    const left = Math.max(1, plan.runLimit.endsAt - Date.now());
    limits.push({ ms: left, of: 'whole run', shownMs: plan.runLimit.ms });
  }
  // The first one given wins a tie: the session's, then the run's.
  return limits.reduce<TimeLimit | undefined>(
    (first, limit) => (first === undefined || limit.ms < first.ms ? limit : first),
    undefined,
  );
}

/**
 * The session's time limit: when it passes, the session is stopped and its running command
 * killed at once (both stops together: a hung command would never see the first alone).
 */
function sessionDeadline(limit: TimeLimit | undefined, controls: StopControls): Deadline {
  if (limit === undefined) return { passed: false, limit, clear: () => undefined };
  const deadline = { passed: false, limit, clear: () => clearTimeout(timer) };
  const timer = setTimeout(() => {
    if (controls.stop.signal.aborted) return; // a user's stop came first: it stays theirs
    deadline.passed = true;
    controls.stop.abort();
    controls.kill.abort();
  }, limit.ms);
  return deadline;
}

async function outcomeOf(
  error: unknown,
  deps: RunnerDeps,
  job: SessionJob,
  controls: StopControls,
  addMessage: (message: SessionMessage) => Promise<void>,
  started: number,
): Promise<[ProcessState, SessionResult]> {
  if (
    error instanceof StopRequested ||
    controls.stop.signal.aborted ||
    controls.kill.signal.aborted
  ) {
    return ['stopped', 'error'];
  }
  if (isSessionError(error)) {
    for (const text of sessionErrorMessages(error))
      await addMessage(preformattedMessage(text, 'error'));
    return ['completed', 'error'];
  }
  if (isTransportError(error)) {
    await addMessage(preformattedMessage(error.message, 'error'));
    return ['failed', 'error'];
  }
  if (isMinkeError(error)) {
    await addMessage(preformattedMessage(error.message, 'error'));
    return ['failed', 'error'];
  }
  // A bug in session code: the traceback goes to the log, and to the message only in debug mode.
  deps.logger.error(
    { err: error, recordId: job.recordId, seconds: (Date.now() - started) / 1000 },
    'session raised an unexpected error',
  );
  const text =
    deps.debug && error instanceof Error ? (error.stack ?? error.message) : 'An error occurred.';
  await addMessage(preformattedMessage(text, 'error'));
  return ['failed', 'error'];
}

/** Command output is text: `updateField('cores', 'nproc')` stores the number 2, not "2". */
function coerceToFields(
  deps: RunnerDeps,
  model: string,
  values: Record<string, unknown>,
): Record<string, unknown> {
  const fields = deps.objects.fieldsOf(model);
  return Object.fromEntries(
    Object.entries(values).map(([name, value]) => {
      const field = fields[name];
      return [
        name,
        field && typeof value === 'string' && field.kind !== 'text'
          ? coerceFromText(field, value)
          : value,
      ];
    }),
  );
}
