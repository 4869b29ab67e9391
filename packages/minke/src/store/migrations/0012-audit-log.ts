import type { Kysely } from 'kysely';
import type { StoreAdapter } from '../adapter.js';
import type { Migration } from './migration.js';

/**
 * The audit log: one append-only row per change a person or token made, each carrying the hash
 * of the row before it. `at` is ISO-8601 text and ids are given by the writer (not a sequence),
 * so that a row hashes the same on every backend. `minke_audit_head` is a one-row table that
 * appenders lock, so that two servers appending at once still make one chain; it also holds the
 * last row's hash, so that deleting the newest rows is noticed. Also the permission to read it.
 */
export function auditLog(adapter: StoreAdapter): Migration {
  const { types } = adapter;
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('minke_audit_log')
        .addColumn('id', types.bigint, (c) => c.primaryKey())
        .addColumn('at', types.text, (c) => c.notNull())
        .addColumn('actor_id', types.int)
        .addColumn('actor_name', types.text, (c) => c.notNull())
        .addColumn('via', types.text, (c) => c.notNull())
        .addColumn('ip', types.text)
        .addColumn('action', types.text, (c) => c.notNull())
        .addColumn('target_type', types.text, (c) => c.notNull())
        .addColumn('target_id', types.text)
        .addColumn('target_name', types.text)
        .addColumn('before_json', types.text)
        .addColumn('after_json', types.text)
        .addColumn('prev_hash', types.text, (c) => c.notNull())
        .addColumn('hash', types.text, (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('minke_audit_log_action')
        .on('minke_audit_log')
        .column('action')
        .execute();
      await db.schema
        .createTable('minke_audit_head')
        .addColumn('id', types.int, (c) => c.primaryKey())
        .addColumn('last_id', types.bigint, (c) => c.notNull())
        .addColumn('last_hash', types.text, (c) => c.notNull())
        .execute();
      const tables = db as Kysely<Record<string, Record<string, unknown>>>;
      await tables
        .insertInto('minke_audit_head')
        .values({ id: 1, last_id: 0, last_hash: '0'.repeat(64) })
        .execute();
      await tables
        .insertInto('minke_permissions')
        .values([{ codename: 'view_audit', name: 'Can read the audit log' }])
        .execute();
    },
  };
}
