import type { EventBus } from '../events/event-bus.js';
import type { Logger } from '../logger.js';
import { RunJournal } from '../runs/run-journal.js';
import type { RunStore } from '../runs/run-store.js';
import type { Database } from '../store/database.js';
import type { ExecutorOwners, OrphanedRun } from './executor-owners.js';
import { endLostSessions, lostColumns } from './reaper.js';
import { HostLeases } from './host-lease.js';
import { PeriodicPass } from './periodic-pass.js';

export interface OrphanReaperOptions {
  database: Database;
  owners: ExecutorOwners;
  runs: RunStore;
  bus: EventBus;
  logger: Logger;
  /** How often to look for runs whose process is gone (after a first look at start). */
  intervalMs?: number;
}

/**
 * Ends the in-process runs of a process that is gone (`kill -9` of `minke start` or of a
 * `minke run`): running sessions end failed + error "worker lost", waiting ones canceled with the
 * same reason, the hosts' leases are released, the runs finished, and every change is published.
 * It looks once at start and then periodically; conditional updates make concurrent reapers safe.
 */
export class OrphanReaper {
  private readonly periodic: PeriodicPass;
  private readonly journal: RunJournal;
  /** Only frees the leases of gone processes: their lifetime here is never used. */
  private readonly leases: HostLeases;

  constructor(private readonly options: OrphanReaperOptions) {
    this.journal = new RunJournal(options.runs, options.bus);
    this.leases = new HostLeases(options.database, 0);
    this.periodic = new PeriodicPass(
      () => this.reap(),
      (error: unknown) =>
        options.logger.warn({ err: error }, 'reaper: could not look for orphaned runs'),
      options.intervalMs ?? 5000,
    );
  }

  start(): void {
    this.periodic.start(true);
  }

  async stop(): Promise<void> {
    await this.periodic.stop();
  }

  /** One pass: returns the ids of the session records it ended. */
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
      const ref = {
        runId,
        recordId: Number(row.id),
        objectId: Number(row.object_id),
        objectLabel: row.object_label,
        hostName: row.host_name,
      };
      if (await this.journal.cancelWaiting(ref, reason)) canceled.push(ref.recordId);
    }
    return canceled;
  }
}
