import type { Kysely } from 'kysely';
import type { StoreAdapter } from '../adapter.js';
import type { Migration } from './migration.js';

/**
 * Indexes for questions asked often at scale: a run's sessions by state (the run summary, "is
 * anything of this run still waiting or running?" after every batch, the queue's consistency
 * check) and runs by state (`minke_runs` in `/metrics`). Same on SQLite and PostgreSQL.
 */
export function runStateIndexes(_adapter: StoreAdapter): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createIndex('minke_session_records_run_state')
        .on('minke_session_records')
        .columns(['run_id', 'process_state'])
        .execute();
      await db.schema.createIndex('minke_runs_state').on('minke_runs').column('state').execute();
    },
  };
}
