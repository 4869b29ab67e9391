import type { ProcessState, SessionResult } from '@minke/contract';
import { rowOutcome } from './outcome.js';

/** How many sessions the run page shows at once: a run on 10,000 hosts must not render them all. */
export const SESSIONS_PER_PAGE = 100;

/** The outcomes the run page can show alone, in the order of its filter. */
export const OUTCOME_FILTERS = ['error', 'warning', 'stopped', 'pending', 'success'] as const;
export type OutcomeFilter = 'all' | (typeof OUTCOME_FILTERS)[number];

interface SessionRow {
  processState: ProcessState;
  result: SessionResult | null;
}

/** How many sessions each filter shows ("all" too). */
export function outcomeCounts(sessions: readonly SessionRow[]): Record<OutcomeFilter, number> {
  const counts: Record<OutcomeFilter, number> = {
    all: sessions.length,
    error: 0,
    warning: 0,
    stopped: 0,
    pending: 0,
    success: 0,
  };
  for (const s of sessions) {
    const outcome = rowOutcome(s.processState, s.result) as OutcomeFilter;
    if (outcome in counts && outcome !== 'all') counts[outcome]++;
  }
  return counts;
}

/** The sessions one page shows: those of the outcome asked for, `page` (from 0) of them. */
export function sessionsPage<S extends SessionRow>(
  sessions: readonly S[],
  show: OutcomeFilter,
  page: number,
): { rows: S[]; matching: number; page: number } {
  const matching =
    show === 'all'
      ? sessions
      : sessions.filter((s) => rowOutcome(s.processState, s.result) === show);
  // A page past the end (the filter or the run changed under it) shows the last one.
  const last = Math.max(0, Math.ceil(matching.length / SESSIONS_PER_PAGE) - 1);
  const shown = Math.min(Math.max(0, page), last);
  const start = shown * SESSIONS_PER_PAGE;
  return {
    rows: matching.slice(start, start + SESSIONS_PER_PAGE),
    matching: matching.length,
    page: shown,
  };
}
