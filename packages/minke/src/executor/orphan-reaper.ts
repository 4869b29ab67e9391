import type { ExecutorOwners, OrphanedRun } from './executor-owners.js';
import { endLostSessions, lostColumns } from './reaper.js';
import { recordRef, RunReaper, type RunReaperOptions } from './run-reaper.js';

/** `intervalMs`: how often to look for runs whose process is gone (after a first look at start). */
export interface OrphanReaperOptions extends RunReaperOptions {
  owners: ExecutorOwners;
}

/**
 * Ends the in-process runs of a process that is gone (`kill -9` of `minke start` or of a
 * `minke run`): running sessions end failed + error "worker lost", waiting ones canceled with the
 * same reason, the hosts' leases are released, the runs finished, and every change is published.
 * It looks once at start and then periodically; conditional updates make concurrent reapers safe.
 */
export class OrphanReaper extends RunReaper {
  constructor(private readonly options: OrphanReaperOptions) {
    super(options, { failure: 'reaper: could not look for orphaned runs', lookAtStart: true });
  }

  async reap(): Promise<number[]> {
    const ended: number[] = [];
    for (const run of await this.options.owners.orphanedRuns())
      ended.push(...(await this.endRun(run)));
    await this.options.owners.forgetGone();
    return ended;
  }

  private async endRun(run: OrphanedRun): Promise<number[]> {
    const { database, logger } = this.options;
    const reason = `worker lost: ${run.reason}`;
    const lost = await database.tables
      .selectFrom('minke_session_records')
      .select(lostColumns)
      .where('run_id', '=', run.runId)
      .where('process_state', 'in', ['running', 'stopping'])
      .execute();
    const { ended } = await endLostSessions(this.journal, lost, () => reason);
    ended.push(...(await this.cancelWaiting(run.runId, reason)));
    // The in-process executor holds one lease per host and run, named after its process.
    await this.leases.releaseRun(run.runId, `${run.owner}/run-${run.runId}`);
    await this.journal.runFinishedIfDone(run.runId);
    if (ended.length > 0)
      logger.warn({ runId: run.runId, owner: run.owner, records: ended }, 'worker lost');
    return ended;
  }

  /** Sessions that never started: canceled, with the reason. */
  private async cancelWaiting(runId: number, reason: string): Promise<number[]> {
    const waiting = await this.options.database.tables
      .selectFrom('minke_session_records')
      .select(['id', 'object_id', 'object_label', 'host_name'])
      .where('run_id', '=', runId)
      .where('process_state', '=', 'initialized')
      .execute();
    const canceled: number[] = [];
    for (const row of waiting) {
      const ref = recordRef(runId, row);
      if (await this.journal.cancelWaiting(ref, reason)) canceled.push(ref.recordId);
    }
    return canceled;
  }
}
