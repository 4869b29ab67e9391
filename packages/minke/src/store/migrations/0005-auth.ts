import { sql, type Kysely } from 'kysely';
import type { StoreAdapter } from '../adapter.js';
import type { Migration } from './migration.js';

/**
 * Accounts at work: login sessions (the browser's cookie) and API tokens (scripts and the CLI).
 * Neither secret is stored: a session's id and a token's hash are the SHA-256 of the random value
 * the client holds, so a copy of the database logs nobody in. Also an index for the API's "last
 * session of each object" (`_lastSession`, the `lastStatus` filter): newest record per object.
 */
export function auth(adapter: StoreAdapter): Migration {
  const { types } = adapter;
  const now = sql`CURRENT_TIMESTAMP`;
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('minke_login_sessions')
        .addColumn('id', types.text, (c) => c.primaryKey()) // sha256 (hex) of the cookie's token
        .addColumn('user_id', types.int, (c) =>
          c.notNull().references('minke_users.id').onDelete('cascade'),
        )
        // The double-submit CSRF token: sent back as a readable cookie, required in X-CSRF-Token.
        .addColumn('csrf_token', types.text, (c) => c.notNull())
        .addColumn('created_at', types.datetime, (c) => c.notNull().defaultTo(now))
        .addColumn('expires_at', types.datetime, (c) => c.notNull())
        .addColumn('last_seen', types.datetime, (c) => c.notNull().defaultTo(now))
        .execute();
      await db.schema
        .createIndex('minke_login_sessions_user')
        .on('minke_login_sessions')
        .column('user_id')
        .execute();
      await db.schema
        .createIndex('minke_login_sessions_expires')
        .on('minke_login_sessions')
        .column('expires_at')
        .execute();

      await db.schema
        .createTable('minke_api_tokens')
        .addColumn('id', adapter.idType, (c) => c.primaryKey())
        .addColumn('user_id', types.int, (c) =>
          c.notNull().references('minke_users.id').onDelete('cascade'),
        )
        .addColumn('name', types.text, (c) => c.notNull())
        .addColumn('token_hash', types.text, (c) => c.notNull().unique()) // sha256 (hex)
        .addColumn('created_at', types.datetime, (c) => c.notNull().defaultTo(now))
        .addColumn('last_used', types.datetime)
        .addColumn('revoked', types.bool, (c) => c.notNull().defaultTo(adapter.encodeBool(false)))
        .execute();
      await db.schema
        .createIndex('minke_api_tokens_user')
        .on('minke_api_tokens')
        .column('user_id')
        .execute();

      await db.schema
        .createIndex('minke_session_records_object_newest')
        .on('minke_session_records')
        .columns(['model', 'object_id', 'id'])
        .execute();
    },
  };
}
