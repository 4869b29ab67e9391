import type { OutcomeFilter } from '@minke/contract';

/** How many sessions the run page shows at once: a run on 10,000 hosts must not render them all. */
export const SESSIONS_PER_PAGE = 100;

/** The query of `GET /api/runs/:id/sessions` for a filter and a page (from 0). */
export function sessionsQuery(show: OutcomeFilter, page: number): Record<string, string | number> {
  return {
    ...(show === 'all' ? {} : { show }),
    offset: Math.max(0, page) * SESSIONS_PER_PAGE,
    limit: SESSIONS_PER_PAGE,
  };
}

/** The page a reply shows (the server gives the last page for an offset past the end). */
export function shownPage(offset: number): number {
  return Math.floor(offset / SESSIONS_PER_PAGE);
}
