import type { RunJournal } from '../runs/run-journal.js';
import { recordRef, RunReaper, type RunReaperOptions } from './run-reaper.js';

/** `intervalMs`: how often to look for expired leases. */
export type ReaperOptions = RunReaperOptions;

/**
 * Ends the sessions of a worker that is gone. A worker renews the lease of each host it works on;
 * when a lease has run out, its holder stopped (killed, machine gone, cut off). Its running
 * sessions end failed + error with "worker lost", the host is free again, and runs whose last
 * session that was are finished. Every server and worker runs one; the conditional updates let
 * them race safely. What was still waiting on that host goes on when its batch is picked up again.
 */
export class LeaseReaper extends RunReaper {
  constructor(private readonly options: ReaperOptions) {
    super(options, { failure: 'reaper: could not check leases', lookAtStart: false });
  }

  async reap(): Promise<number[]> {
    const { database } = this.options;
    const expired = await database.tables
      .selectFrom('minke_host_leases')
      .select(['host_id', 'owner', 'expires_at'])
      .where('expires_at', '<', new Date().toISOString())
      .limit(100)
      .execute();
    const ended: number[] = [];
    for (const lease of expired) {
      ended.push(...(await this.reapLease(Number(lease.host_id), lease.owner, lease.expires_at)));
    }
    return ended;
  }

  /**
   * Frees one expired lease and ends the sessions its holder had started. Only sessions started
   * before the lease ran out are its holder's: one started later belongs to whoever took the
   * host since.
   */
  private async reapLease(hostId: number, owner: string, expiresAt: string): Promise<number[]> {
    const { database, logger } = this.options;
    if (!(await this.leases.releaseExpired(hostId, owner, expiresAt))) return [];
    const lost = await database.tables
      .selectFrom('minke_session_records')
      .select(lostColumns)
      .where('host_id', '=', hostId)
      .where('process_state', 'in', ['running', 'stopping'])
      .where('started_at', '<=', expiresAt)
      .execute();
    const { ended, runIds } = await endLostSessions(
      this.journal,
      lost,
      (row) => `worker lost: its lease on host ${row.host_name ?? hostId} ran out at ${expiresAt}`,
    );
    if (ended.length > 0) logger.warn({ hostId, owner, records: ended }, 'worker lost');
    for (const runId of runIds) await this.journal.runFinishedIfDone(runId);
    return ended;
  }
}

/** The columns of a session record that ending it as lost needs. */
export const lostColumns = [
  'id',
  'run_id',
  'object_id',
  'object_label',
  'host_name',
  'started_at',
] as const;

export interface LostRecordRow {
  id: number;
  run_id: number;
  object_id: number;
  object_label: string;
  host_name: string | null;
  started_at: string | null;
}

/**
 * Ends running sessions whose worker is gone: failed + error with a message saying so, and the
 * events a live view needs. Conditional, so a session that ended meanwhile keeps its outcome.
 */
export async function endLostSessions(
  journal: RunJournal,
  rows: readonly LostRecordRow[],
  reason: (row: LostRecordRow) => string,
): Promise<{ ended: number[]; runIds: Set<number> }> {
  const ended: number[] = [];
  const runIds = new Set<number>();
  for (const row of rows) {
    const startedAt = row.started_at === null ? Number.NaN : Date.parse(row.started_at);
    const durationMs = Number.isNaN(startedAt) ? null : Math.max(0, Date.now() - startedAt);
    const ref = recordRef(Number(row.run_id), row);
    if (!(await journal.recordLost(ref, durationMs, reason(row)))) continue;
    ended.push(ref.recordId);
    runIds.add(ref.runId);
  }
  return { ended, runIds };
}
