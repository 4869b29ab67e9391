import { isStoppedState, type StateCount } from './run-summary.js';
import { isDone, type ProcessState, type SessionResult } from './states.js';

/**
 * What a run's page can show alone, in the order of its filter: a session's outcome is `pending`
 * while it waits or runs, `stopped` when it was stopped or canceled (grey, not a failure, as the
 * run summary counts it), else its result.
 */
export const SESSION_OUTCOMES = ['error', 'warning', 'stopped', 'pending', 'success'] as const;
export type SessionOutcome = (typeof SESSION_OUTCOMES)[number];

/** A filter of a run's sessions: one outcome, or all of them. */
export const OUTCOME_FILTERS = ['all', ...SESSION_OUTCOMES] as const;
export type OutcomeFilter = (typeof OUTCOME_FILTERS)[number];

/** How many sessions each filter shows. */
export type OutcomeCounts = Record<OutcomeFilter, number>;

/** A session's outcome; `none` when it ended without a result (it shows under "all" only). */
export function sessionOutcome(
  state: ProcessState,
  result: SessionResult | null,
): SessionOutcome | 'none' {
  if (!isDone(state)) return 'pending';
  if (isStoppedState(state)) return 'stopped';
  return result ?? 'none';
}

/** The counts of the run page's filter, from sessions or from counted (state, result) groups. */
export function outcomeCounts(counts: Iterable<StateCount>): OutcomeCounts {
  const out: OutcomeCounts = { all: 0, error: 0, warning: 0, stopped: 0, pending: 0, success: 0 };
  for (const { processState, result, count = 1 } of counts) {
    out.all += count;
    const outcome = sessionOutcome(processState, result);
    if (outcome !== 'none') out[outcome] += count;
  }
  return out;
}

/**
 * Sessions that did not succeed, as "Re-run failed only" picks them on the server: anything
 * but completed without error (failed, stopped, canceled, or completed in error).
 */
export function failedCount(counts: Iterable<StateCount>): number {
  let n = 0;
  for (const { processState, result, count = 1 } of counts)
    if (processState !== 'completed' || result === 'error') n += count;
  return n;
}
