import {
  isDone,
  summarize,
  type ProcessState,
  type RunSummary,
  type SessionResult,
} from '@minke/contract';

/** Stopped by a user, or canceled before it started (a stop, a disabled host): not a failure. */
export function isStoppedState(state: ProcessState): boolean {
  return state === 'stopped' || state === 'canceled';
}

/**
 * What colours a row: `pending` while it waits or runs, `stopped` (grey) for a stopped or
 * canceled session, else its result (`none` when it ended without one).
 */
export function rowOutcome(state: ProcessState, result: SessionResult | null): string {
  if (!isDone(state)) return 'pending';
  if (isStoppedState(state)) return 'stopped';
  return result ?? 'none';
}

/** A run's counters as the page shows them: stopped and canceled sessions apart from errors. */
export interface OutcomeCounts extends RunSummary {
  stopped: number;
}

export function outcomeCounts(
  sessions: Iterable<{ processState: ProcessState; result: SessionResult | null }>,
): OutcomeCounts {
  const list = [...sessions];
  const stopped = list.filter((s) => isStoppedState(s.processState));
  const counted = summarize(
    list.map((s) => ({
      processState: s.processState,
      // the server marks a canceled session `error`; the page counts it as stopped instead
      result: isStoppedState(s.processState) ? null : s.result,
    })),
  );
  return { ...counted, stopped: stopped.length };
}

/**
 * Sessions that did not succeed, as "Re-run failed only" picks them on the server: anything
 * but completed without error (failed, stopped, canceled, or completed in error).
 */
export function failedCount(
  sessions: Iterable<{ processState: ProcessState; result: SessionResult | null }>,
): number {
  let n = 0;
  for (const s of sessions) if (s.processState !== 'completed' || s.result === 'error') n++;
  return n;
}
