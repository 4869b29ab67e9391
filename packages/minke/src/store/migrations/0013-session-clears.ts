import { sql, type Kysely } from 'kysely';
import type { StoreAdapter } from '../adapter.js';
import type { Migration } from './migration.js';

/**
 * What each user cleared from their "current session" view (the original's Clear): one row per
 * user and object, holding the id of the newest session record the user cleared. Sessions up to
 * that id are no longer the user's current one; history keeps them. `user_id` is null for the
 * local operator (the CLI without a server).
 */
export function sessionClears(adapter: StoreAdapter): Migration {
  const { types } = adapter;
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('minke_session_clears')
        .addColumn('id', adapter.idType, (c) => c.primaryKey())
        .addColumn('user_id', types.int, (c) => c.references('minke_users.id').onDelete('cascade'))
        .addColumn('model', types.text, (c) => c.notNull())
        .addColumn('object_id', types.int, (c) => c.notNull())
        .addColumn('cleared_upto', types.int, (c) => c.notNull())
        .addColumn('cleared_at', types.datetime, (c) =>
          c.notNull().defaultTo(sql`CURRENT_TIMESTAMP`),
        )
        .execute();
      await db.schema
        .createIndex('minke_session_clears_object')
        .on('minke_session_clears')
        .columns(['model', 'object_id', 'user_id'])
        .execute();
      // "The newest record of this user per object" reads records by model, object and user.
      await db.schema
        .createIndex('minke_session_records_current')
        .on('minke_session_records')
        .columns(['model', 'object_id', 'user_id'])
        .execute();
    },
  };
}
