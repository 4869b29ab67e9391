import type { Kysely } from 'kysely';
import type { StoreAdapter } from '../adapter.js';
import type { Migration } from './migration.js';

/**
 * A time limit for a whole run (`minke run --run-timeout`, the API's `runTimeoutMs`), as AWX's
 * and Rundeck's job timeouts are, beside the limit per object of 0025. Stored with the run (a
 * batch queued again from the database, and a re-run, keep it) and kept by a saved job for its
 * launches.
 */
export function runWideLimits(adapter: StoreAdapter): Migration {
  const { types } = adapter;
  return {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('minke_runs').addColumn('run_timeout_ms', types.int).execute();
      await db.schema.alterTable('minke_jobs').addColumn('run_timeout_ms', types.int).execute();
    },
  };
}
