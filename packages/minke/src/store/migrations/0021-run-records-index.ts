import type { Kysely } from 'kysely';
import type { Migration } from './migration.js';

/**
 * A run's session records in the order pages show them: the run's page, and the history filtered
 * by run (`?run=ID`, what a browser polls during a run). Through the user's index instead, a
 * user's history page of one run read every newer record of the user first: 13 ms on an idle
 * machine with 50,000 newer records, 39 ms during a 1,000-host run, 40% of the server's time with
 * 50 pollers (`bench api`). The one-column run index is its prefix, so it goes.
 *
 * And a run's counts by state and result (the runs list, the run page) from the index alone: 0006's
 * index by run and state left the result to be read from each row (a page of 20 runs, 2,900
 * records: 0.94 ms → 0.28 ms idle). It replaces 0006's, which is its prefix.
 */
export function runRecordsIndex(): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createIndex('minke_session_records_run_created')
        .on('minke_session_records')
        .columns(['run_id', 'created_at', 'id'])
        .execute();
      await db.schema.dropIndex('minke_session_records_run_id').execute();
      await db.schema
        .createIndex('minke_session_records_run_state_result')
        .on('minke_session_records')
        .columns(['run_id', 'process_state', 'result'])
        .execute();
      await db.schema.dropIndex('minke_session_records_run_state').execute();
    },
  };
}
