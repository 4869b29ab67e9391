import { hostname } from 'node:os';
import type { Database } from '../store/database.js';
import { processAlive } from '../util/process-alive.js';

/** A run not finished, taken by a process that is gone. */
export interface OrphanedRun {
  runId: number;
  owner: string;
  /** Why its owner counts as gone, for the sessions' messages. */
  reason: string;
}

/**
 * The processes that run sessions in-process, each a row renewed while it lives (`owner`,
 * machine, pid, expiry), and the runs each has taken (`minke_runs.owner`, set through
 * `RunStore.takeRun`). A process that was
 * killed stops renewing; one on this machine whose pid is gone counts as gone at once, so a
 * server restarted after `kill -9` ends its predecessor's runs without waiting for the expiry.
 */
export class ExecutorOwners {
  private readonly machine = hostname();

  constructor(
    private readonly database: Database,
    private readonly ttlMs: number,
  ) {}

  private expiry(): Date {
    return new Date(Date.now() + this.ttlMs);
  }

  /** Adds or renews this process's row. */
  async register(owner: string): Promise<void> {
    const expires_at = this.expiry();
    await this.database.tables
      .insertInto('minke_executor_owners')
      .values({ owner, machine: this.machine, pid: process.pid, expires_at })
      .onConflict((oc) => oc.column('owner').doUpdateSet({ expires_at }))
      .execute();
  }

  async remove(owner: string): Promise<void> {
    await this.database.tables
      .deleteFrom('minke_executor_owners')
      .where('owner', '=', owner)
      .execute();
  }

  /** Unfinished runs whose owner is gone: no row, an expired row, or a dead pid on this machine. */
  async orphanedRuns(limit = 100): Promise<OrphanedRun[]> {
    const runs = await this.database.tables
      .selectFrom('minke_runs as r')
      .leftJoin('minke_executor_owners as o', 'o.owner', 'r.owner')
      .select(['r.id', 'r.owner', 'o.machine', 'o.pid', 'o.expires_at'])
      .where('r.state', '!=', 'finished')
      .where('r.owner', 'is not', null)
      .orderBy('r.id')
      .limit(limit)
      .execute();
    const orphaned: OrphanedRun[] = [];
    for (const row of runs) {
      const reason = this.whyGone(row);
      if (reason && row.owner !== null)
        orphaned.push({ runId: Number(row.id), owner: row.owner, reason });
    }
    return orphaned;
  }

  /** Deletes the rows of owners that are gone and hold no unfinished run. */
  async forgetGone(): Promise<void> {
    const rows = await this.database.tables
      .selectFrom('minke_executor_owners')
      .select(['owner', 'machine', 'pid', 'expires_at'])
      .limit(1000)
      .execute();
    for (const row of rows) {
      if (!this.whyGone(row)) continue;
      await this.database.tables
        .deleteFrom('minke_executor_owners')
        .where('owner', '=', row.owner)
        .where('expires_at', '=', row.expires_at)
        .where((eb) =>
          eb.not(
            eb.exists(
              eb
                .selectFrom('minke_runs')
                .select('id')
                .where('owner', '=', row.owner)
                .where('state', '!=', 'finished'),
            ),
          ),
        )
        .execute();
    }
  }

  /** Why the owner of a row (or of a run, with no row: all null) is gone; null while it lives. */
  private whyGone(row: {
    machine: string | null;
    pid: number | null;
    expires_at: string | null;
  }): string | null {
    if (row.expires_at === null)
      return 'the process (or session thread) that ran it is gone; the server log says why';
    const pid = Number(row.pid);
    if (row.machine === this.machine && pid !== process.pid && !processAlive(pid))
      return `the process that ran it (pid ${pid}) ended without finishing it`;
    const expiresAt = row.expires_at;
    if (Date.parse(expiresAt) < Date.now())
      return `the process that ran it (pid ${pid} on ${String(row.machine)}) stopped answering at ${expiresAt}`;
    return null;
  }
}
