import type { DatabaseHandle } from '../store/transaction.js';

/** A host an inventory source owns. */
export interface OwnedHost {
  hostId: number;
  source: string;
  /** Disabled because the source stopped listing it (so listing it again enables it). */
  disabledBySource: boolean;
}

/** A source's last sync as stored. */
export interface SourceState {
  name: string;
  lastSyncAt: string | null;
  lastOk: boolean | null;
  lastError: string | null;
  lastCounts: Record<string, unknown> | null;
}

/**
 * The one writer of `minke_inventory_sources` (each source's last sync and last scheduled tick)
 * and `minke_inventory_hosts` (which source owns which host).
 */
export class InventoryStore {
  constructor(private readonly database: DatabaseHandle) {}

  in(trx: DatabaseHandle): InventoryStore {
    return new InventoryStore(trx);
  }

  private get tables(): DatabaseHandle['tables'] {
    return this.database.tables;
  }

  /** Every owned host, by host id. */
  async owners(): Promise<Map<number, OwnedHost>> {
    const rows = await this.tables
      .selectFrom('minke_inventory_hosts')
      .select(['host_id', 'source', 'disabled_by_source'])
      .execute();
    return new Map(
      rows.map((row) => [
        row.host_id,
        { hostId: row.host_id, source: row.source, disabledBySource: row.disabled_by_source },
      ]),
    );
  }

  /** How many hosts each source owns. */
  async hostCounts(): Promise<Map<string, number>> {
    const rows = await this.tables
      .selectFrom('minke_inventory_hosts')
      .select((eb) => ['source', eb.fn.countAll<number | string>().as('count')])
      .groupBy('source')
      .execute();
    return new Map(rows.map((row) => [row.source, Number(row.count)]));
  }

  /** Makes `source` the owner of a host (taking it over from none). */
  async own(hostId: number, source: string): Promise<void> {
    await this.release(hostId);
    await this.tables
      .insertInto('minke_inventory_hosts')
      .values({ host_id: hostId, source, disabled_by_source: false })
      .execute();
  }

  async setDisabledBySource(hostId: number, disabled: boolean): Promise<void> {
    await this.tables
      .updateTable('minke_inventory_hosts')
      .set({ disabled_by_source: disabled })
      .where('host_id', '=', hostId)
      .execute();
  }

  /** Forgets a host's owner (before the host is deleted, on backends without cascades too). */
  async release(hostId: number): Promise<void> {
    await this.tables.deleteFrom('minke_inventory_hosts').where('host_id', '=', hostId).execute();
  }

  async states(): Promise<Map<string, SourceState>> {
    const rows = await this.tables
      .selectFrom('minke_inventory_sources')
      .select(['name', 'last_sync_at', 'last_ok', 'last_error', 'last_counts'])
      .execute();
    return new Map(
      rows.map((row) => [
        row.name,
        {
          name: row.name,
          lastSyncAt: row.last_sync_at,
          lastOk: row.last_ok,
          lastError: row.last_error,
          lastCounts: row.last_counts,
        },
      ]),
    );
  }

  /** Notes how a sync (not a dry run) went. */
  async noteSync(
    name: string,
    outcome: { at: Date; ok: boolean; error: string | null; counts: Record<string, number> | null },
  ): Promise<void> {
    await this.ensure(name);
    await this.tables
      .updateTable('minke_inventory_sources')
      .set({
        last_sync_at: outcome.at,
        last_ok: outcome.ok,
        last_error: outcome.error,
        last_counts: outcome.counts,
      })
      .where('name', '=', name)
      .execute();
  }

  /**
   * Claims a scheduled tick: true for the one server that moves the source's last tick to
   * `tickAt` first, false for every other server that fires on the same tick.
   */
  async claimTick(name: string, tickAt: Date): Promise<boolean> {
    await this.ensure(name);
    const result = await this.tables
      .updateTable('minke_inventory_sources')
      .set({ last_tick_at: tickAt })
      .where('name', '=', name)
      .where((eb) =>
        eb.or([eb('last_tick_at', 'is', null), eb('last_tick_at', '<', tickAt.toISOString())]),
      )
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  private async ensure(name: string): Promise<void> {
    await this.tables
      .insertInto('minke_inventory_sources')
      .values({ name, last_counts: null })
      .onConflict((oc) => oc.column('name').doNothing())
      .execute();
  }
}
