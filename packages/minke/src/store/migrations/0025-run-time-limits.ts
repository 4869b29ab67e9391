import type { Kysely } from 'kysely';
import type { StoreAdapter } from '../adapter.js';
import type { Migration } from './migration.js';

/**
 * A time limit per object given when a run starts (`minke run --timeout`, the API's `timeoutMs`,
 * the run dialog) or kept by a saved job for its launches. Stored with the run: a batch queued
 * again from the database, and a re-run, keep it.
 */
export function runTimeLimits(adapter: StoreAdapter): Migration {
  const { types } = adapter;
  return {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('minke_runs').addColumn('timeout_ms', types.int).execute();
      await db.schema.alterTable('minke_jobs').addColumn('timeout_ms', types.int).execute();
    },
  };
}
