import { isDone, isStoppedState, type ProcessState, type SessionResult } from '@minke/contract';

/**
 * What colours a row (stopped or canceled as the contract's summary counts them: not a failure): `pending` while it waits or runs, `stopped` (grey) for a stopped or
 * canceled session, else its result (`none` when it ended without one).
 */
export function rowOutcome(state: ProcessState, result: SessionResult | null): string {
  if (!isDone(state)) return 'pending';
  if (isStoppedState(state)) return 'stopped';
  return result ?? 'none';
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
