import type { Kysely } from 'kysely';
import type { StoreAdapter } from '../adapter.js';
import type { Migration } from './migration.js';

/**
 * Who runs an in-process run, and whether that process is still there. Each process with an
 * in-process executor keeps a row in `minke_executor_owners` (renewed while it lives, with its
 * machine and pid), and stamps the runs it takes with `minke_runs.owner`. A run whose owner is
 * gone (killed, crashed) is ended "worker lost" by the next server, instead of staying `running`
 * forever. Runs of the BullMQ executor have no owner: their workers' leases say the same.
 */
export function executorOwners(adapter: StoreAdapter): Migration {
  const { types } = adapter;
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('minke_executor_owners')
        .addColumn('owner', types.text, (c) => c.primaryKey())
        .addColumn('machine', types.text, (c) => c.notNull())
        .addColumn('pid', types.int, (c) => c.notNull())
        .addColumn('expires_at', types.datetime, (c) => c.notNull())
        .execute();
      await db.schema.alterTable('minke_runs').addColumn('owner', types.text).execute();
    },
  };
}
