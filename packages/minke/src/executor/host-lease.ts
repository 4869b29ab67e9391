import type { Database } from '../store/database.js';

export interface LeaseHolder {
  owner: string;
  runId: number | null;
  expiresAt: string;
}

/** Hosts taken or renewed by one statement (bound parameters stay far below either database's limit). */
const HOSTS_PER_STATEMENT = 500;

/**
 * A host lock as a lease: an owner and an expiry, renewed while work runs. A crashed process
 * stops renewing, the lease runs out, and the host is free again; nobody has to release it.
 */
export class HostLeases {
  constructor(
    private readonly database: Database,
    private readonly ttlMs: number,
  ) {}

  private expiry(): Date {
    return new Date(Date.now() + this.ttlMs);
  }

  /**
   * Takes the host's lease for `owner` when it is free, expired, or already `owner`'s. One
   * statement, so two processes racing for a host cannot both win.
   */
  async acquire(hostId: number, owner: string, runId: number): Promise<boolean> {
    return (await this.acquireMany([hostId], owner, runId)).has(hostId);
  }

  /**
   * `acquire` for many hosts, one statement per 500: the hosts whose lease `owner` now holds.
   * A run that starts on 200 hosts takes them at once, instead of 200 statements built and run
   * one by one before its first connection.
   */
  async acquireMany(
    hostIds: readonly number[],
    owner: string,
    runId: number,
  ): Promise<Set<number>> {
    const taken = new Set<number>();
    for (let start = 0; start < hostIds.length; start += HOSTS_PER_STATEMENT) {
      const now = new Date().toISOString();
      const expiresAt = this.expiry();
      const rows = hostIds
        .slice(start, start + HOSTS_PER_STATEMENT)
        .map((hostId) => ({ host_id: hostId, owner, run_id: runId, expires_at: expiresAt }));
      // The upsert returns a row only where it inserted or updated: a host missing from the
      // rows returned is held by someone else.
      const returned = await this.database.tables
        .insertInto('minke_host_leases')
        .values(rows)
        .onConflict((oc) =>
          oc
            .column('host_id')
            .doUpdateSet({ owner, run_id: runId, expires_at: expiresAt })
            .where((eb) =>
              eb.or([
                eb('minke_host_leases.expires_at', '<', now),
                eb('minke_host_leases.owner', '=', owner),
              ]),
            ),
        )
        .returning(['host_id', 'owner'])
        .execute();
      for (const row of returned) if (row.owner === owner) taken.add(Number(row.host_id));
    }
    return taken;
  }

  /**
   * Extends the leases `owner` still holds among `hostIds`, one statement per 500 hosts however
   * many it holds; returns the hosts whose lease it kept (one missing was lost: it expired and
   * another process took the host).
   */
  async renewAll(hostIds: readonly number[], owner: string): Promise<Set<number>> {
    const kept = new Set<number>();
    for (let start = 0; start < hostIds.length; start += HOSTS_PER_STATEMENT) {
      const rows = await this.database.tables
        .updateTable('minke_host_leases')
        .set({ expires_at: this.expiry() })
        .where('owner', '=', owner)
        .where('host_id', 'in', hostIds.slice(start, start + HOSTS_PER_STATEMENT))
        .returning('host_id')
        .execute();
      for (const row of rows) kept.add(Number(row.host_id));
    }
    return kept;
  }

  async release(hostId: number, owner: string): Promise<void> {
    await this.database.tables
      .deleteFrom('minke_host_leases')
      .where('host_id', '=', hostId)
      .where('owner', '=', owner)
      .execute();
  }

  /**
   * Frees a lease that ran out, exactly as it was read (same owner and expiry): false when its
   * holder renewed it meanwhile, or another reaper was first.
   */
  async releaseExpired(hostId: number, owner: string, expiresAt: string): Promise<boolean> {
    const deleted = await this.database.tables
      .deleteFrom('minke_host_leases')
      .where('host_id', '=', hostId)
      .where('owner', '=', owner)
      .where('expires_at', '=', expiresAt)
      .executeTakeFirst();
    return Number(deleted.numDeletedRows) === 1;
  }

  /** Frees every lease one holder took for one run (a process that is gone). */
  async releaseRun(runId: number, owner: string): Promise<void> {
    await this.database.tables
      .deleteFrom('minke_host_leases')
      .where('run_id', '=', runId)
      .where('owner', '=', owner)
      .execute();
  }

  async holder(hostId: number): Promise<LeaseHolder | undefined> {
    const row = await this.database.tables
      .selectFrom('minke_host_leases')
      .select(['owner', 'run_id', 'expires_at'])
      .where('host_id', '=', hostId)
      .executeTakeFirst();
    if (!row) return undefined;
    return {
      owner: row.owner,
      runId: row.run_id === null ? null : Number(row.run_id),
      expiresAt: row.expires_at,
    };
  }

  /** Leases whose holder stopped renewing. */
  async expired(): Promise<number> {
    const row = await this.database.tables
      .selectFrom('minke_host_leases')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('expires_at', '<', new Date().toISOString())
      .executeTakeFirst();
    return Number(row?.n ?? 0);
  }
}

/** Why a batch cannot have its host: another run holds the lease (or it is unknown who). */
export function hostBusyText(hostName: string, holder: LeaseHolder | undefined): string {
  return `host ${hostName} is busy with run ${holder?.runId ?? '?'} (its lease runs until ${holder?.expiresAt ?? '?'})`;
}
