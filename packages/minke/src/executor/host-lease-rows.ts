import type { Database } from '../store/database.js';

/**
 * The read side of host leases for people (the lease list, clearing one): each lease with its
 * host's name and the run that holds it. Written only by `HostLeases`.
 */
export class HostLeaseRows {
  constructor(private readonly database: Database) {}

  /** Every lease, by host name. */
  async all(): Promise<LeaseRow[]> {
    return this.rows().orderBy('h.name').execute();
  }

  /** The lease on one host, if it holds one. */
  async ofHost(hostId: number): Promise<LeaseRow | undefined> {
    return this.rows().where('l.host_id', '=', hostId).executeTakeFirst();
  }

  /** A host's id by its name. */
  async hostId(name: string): Promise<number | undefined> {
    const host = await this.database.tables
      .selectFrom('minke_hosts')
      .select('id')
      .where('name', '=', name)
      .executeTakeFirst();
    return host?.id;
  }

  private rows() {
    return this.database.tables
      .selectFrom('minke_host_leases as l')
      .innerJoin('minke_hosts as h', 'h.id', 'l.host_id')
      .leftJoin('minke_runs as r', 'r.id', 'l.run_id')
      .select([
        'h.name as host',
        'l.host_id as hostId',
        'l.owner as owner',
        'l.run_id as runId',
        'l.expires_at',
        'r.session as session',
        // Under its own name, so that the column plugin reads it as a date.
        'r.created_at',
      ]);
  }
}

export type LeaseRow = Awaited<
  ReturnType<ReturnType<HostLeaseRows['rows']>['executeTakeFirstOrThrow']>
>;
