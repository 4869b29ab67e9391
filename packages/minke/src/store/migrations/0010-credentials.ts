import { sql, type Kysely } from 'kysely';
import type { StoreAdapter } from '../adapter.js';
import type { Migration } from './migration.js';

/**
 * The credentials store: named SSH keys and passwords, each encrypted with AES-256-GCM under the
 * project's secret key (never in the database). `key_id` names the key a row was sealed with, so
 * that a rotation can re-encrypt row by row and a wrong key is told apart from a damaged row.
 * Also the permissions to manage them and to point hosts at them (`use_credential:NAME` rows are
 * added per credential).
 */
export function credentials(adapter: StoreAdapter): Migration {
  const { types } = adapter;
  const now = sql`CURRENT_TIMESTAMP`;
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('minke_credentials')
        .addColumn('id', adapter.idType, (c) => c.primaryKey())
        .addColumn('name', types.text, (c) => c.notNull().unique())
        .addColumn('type', types.text, (c) => c.notNull())
        .addColumn('fingerprint', types.text)
        .addColumn('key_id', types.text, (c) => c.notNull())
        .addColumn('ciphertext', types.text, (c) => c.notNull()) // base64: iv ‖ tag ‖ ciphertext
        .addColumn('created_at', types.datetime, (c) => c.notNull().defaultTo(now))
        .addColumn('created_by', types.text)
        .addColumn('updated_at', types.datetime, (c) => c.notNull().defaultTo(now))
        .addColumn('updated_by', types.text)
        .execute();
      await (db as Kysely<Record<string, Record<string, unknown>>>)
        .insertInto('minke_permissions')
        .values([
          { codename: 'manage_credentials', name: 'Can create, replace and delete credentials' },
          { codename: 'use_credential', name: 'Can point hosts and groups at any credential' },
        ])
        .execute();
    },
  };
}
