import type { Kysely } from 'kysely';
import type { StoreAdapter } from '../adapter.js';
import type { Migration } from './migration.js';

/**
 * Inventory sources: each source's last sync (when, how it went, the counts) and its last
 * scheduled tick (claimed by one server), and which hosts each source added, so that a source
 * disables only its own hosts and re-enables only those it disabled.
 */
export function inventorySources(adapter: StoreAdapter): Migration {
  const { types } = adapter;
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('minke_inventory_sources')
        .addColumn('id', adapter.idType, (c) => c.primaryKey())
        .addColumn('name', types.text, (c) => c.notNull().unique())
        .addColumn('last_sync_at', types.datetime)
        .addColumn('last_ok', types.bool)
        .addColumn('last_error', types.text)
        .addColumn('last_counts', types.json)
        .addColumn('last_tick_at', types.datetime)
        .execute();
      await db.schema
        .createTable('minke_inventory_hosts')
        .addColumn('host_id', types.int, (c) =>
          c.primaryKey().references('minke_hosts.id').onDelete('cascade'),
        )
        .addColumn('source', types.text, (c) => c.notNull())
        .addColumn('disabled_by_source', types.bool, (c) => c.notNull().defaultTo(false))
        .execute();
      await db.schema
        .createIndex('minke_inventory_hosts_source')
        .on('minke_inventory_hosts')
        .column('source')
        .execute();
    },
  };
}
