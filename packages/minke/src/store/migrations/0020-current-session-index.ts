import type { Kysely } from 'kysely';
import type { Migration } from './migration.js';

/**
 * Session records by model and result: the `lastStatus` filter of a list (Services whose current
 * session ended in error) starts from the records that ended so and tests only those for being
 * the viewer's current one, instead of reading every record of the model (100,000 records: the
 * filter's cost grew with the history). The object, user and id complete it, so that the test
 * reads no table row on either database.
 */
export function currentSessionIndex(): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createIndex('minke_session_records_model_result')
        .on('minke_session_records')
        .columns(['model', 'result', 'object_id', 'user_id', 'id'])
        .execute();
    },
  };
}
