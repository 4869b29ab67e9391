import { InputError } from '../errors.js';
import type { SessionRecordItem } from '../runs/history.js';
import type { RunUser } from '../auth/run-user.js';
import { getRun } from '../runs/list-runs.js';
import { startRun, type RunServices, type StartedRun } from './start-run.js';

export interface RerunInput {
  runId: number;
  /** Only the objects whose session did not complete without error. */
  failedOnly?: boolean | undefined;
  /** Form values given again: secrets, which a run never stores, and any value to change. */
  data?: Record<string, unknown> | undefined;
  /** Run-time connection values for the new run only (the old run's were never stored). */
  connection?: Record<string, unknown> | undefined;
  /** A new time limit per object; null runs without one; undefined keeps the run's. */
  timeoutMs?: number | null | undefined;
  /** A new limit for the whole run; null runs without one; undefined keeps the run's. */
  runTimeoutMs?: number | null | undefined;
  user?: RunUser | undefined;
}

/** A session that ended well: completed, as success or warning. Anything else is re-run by "failed only". */
export function succeeded(record: Pick<SessionRecordItem, 'processState' | 'result'>): boolean {
  return record.processState === 'completed' && record.result !== 'error';
}

/**
 * Runs a run's session again on its objects (or on those that failed), with its stored form
 * data and the values given again. It is an ordinary `startRun`: the same permission checks
 * (the run permission, view on the model, only objects the user may view), the same form
 * validation (a secret not given again is a field error) and the same `run.start` audit row.
 * Who may see the run is the caller's check (the API answers 404 for another user's run).
 */
export async function rerunRun(services: RunServices, input: RerunInput): Promise<StartedRun> {
  const run = await getRun(services.project.database, input.runId);
  const chosen = input.failedOnly ? run.sessions.filter((s) => !succeeded(s)) : run.sessions;
  if (chosen.length === 0) {
    throw new InputError(
      input.failedOnly
        ? `every session of run ${run.id} succeeded: there is nothing to re-run`
        : `run ${run.id} has no sessions to re-run`,
    );
  }
  const ids = [...new Set(chosen.map((s) => s.objectId))];
  return startRun(services, {
    session: run.session,
    model: run.model,
    ids,
    data: { ...storedData(run.data), ...(input.data ?? {}) },
    connection: input.connection,
    user: input.user,
    // Unless a new one is given, the limit it was started with holds: the same work, the same bound.
    timeoutMs: (input.timeoutMs === undefined ? run.timeoutMs : input.timeoutMs) ?? undefined,
    runTimeoutMs:
      (input.runTimeoutMs === undefined ? run.runTimeoutMs : input.runTimeoutMs) ?? undefined,
  });
}

function storedData(data: unknown): Record<string, unknown> {
  return typeof data === 'object' && data !== null && !Array.isArray(data)
    ? (data as Record<string, unknown>)
    : {};
}
