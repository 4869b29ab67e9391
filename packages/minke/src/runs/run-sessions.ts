import {
  failedCount,
  outcomeCounts,
  type OutcomeCounts,
  type OutcomeFilter,
} from '@minke/contract/session-outcome';
import type { Database } from '../store/database.js';
import { pageLimit, pageOffset } from '../query/paging.js';
import { SessionHistory, type SessionRecordItem } from './history.js';
import { getRunItem, type RunItem } from './list-runs.js';

export interface RunSessionsQuery {
  /** Only the sessions of this outcome (`all`: every one). */
  show?: OutcomeFilter | undefined;
  limit?: number | undefined;
  offset?: number | undefined;
}

/** A page of a run's sessions with the run, the counts per outcome and how many failed. */
export interface RunSessionsPage {
  run: RunItem;
  items: SessionRecordItem[];
  /** How many sessions the filter matches. */
  total: number;
  limit: number;
  offset: number;
  counts: OutcomeCounts;
  failed: number;
}

/**
 * What a run's page shows, one page of its sessions, oldest first: a run on 10,000 hosts is read
 * and sent 100 sessions at a time, not whole every two seconds. An offset past the last page (the
 * filter's sessions changed under it as the run went on) reads the last page.
 */
export async function readRunSessions(
  database: Database,
  runId: number,
  query: RunSessionsQuery = {},
): Promise<RunSessionsPage> {
  const { run, counts } = await getRunItem(database, runId);
  const show = query.show ?? 'all';
  const byOutcome = outcomeCounts(counts);
  const limit = pageLimit(query.limit);
  const lastPage = Math.max(0, Math.ceil(byOutcome[show] / limit) - 1) * limit;
  const offset = Math.min(pageOffset(query.offset), lastPage);
  // The total comes from the run's counts: no second count of its records.
  const items = await new SessionHistory(database).listPage({
    runId,
    outcome: show === 'all' ? undefined : show,
    oldestFirst: true,
    limit,
    offset,
  });
  return {
    run,
    items,
    // From the same counts as the chips and the last page: one reading of the run, not two.
    total: byOutcome[show],
    limit,
    offset,
    counts: byOutcome,
    failed: failedCount(counts),
  };
}
