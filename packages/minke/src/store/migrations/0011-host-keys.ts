import { sql, type Kysely } from 'kysely';
import type { StoreAdapter } from '../adapter.js';
import type { Migration } from './migration.js';

/**
 * The fleet's known host keys: what known_hosts files were, as data. One row per key a host
 * presented: `pending` (offered, nobody trusted it yet), `trusted` (the host's current key) or
 * `replaced` (trusted once, kept as history after someone trusted a new one). `host` is the Minke
 * host's name, or `[address]:port` for a jump host that is no Minke host. Also the permission to
 * trust keys.
 */
export function hostKeys(adapter: StoreAdapter): Migration {
  const { types } = adapter;
  const now = sql`CURRENT_TIMESTAMP`;
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('minke_host_keys')
        .addColumn('id', adapter.idType, (c) => c.primaryKey())
        .addColumn('host', types.text, (c) => c.notNull())
        .addColumn('address', types.text, (c) => c.notNull())
        .addColumn('key_type', types.text, (c) => c.notNull())
        .addColumn('fingerprint', types.text, (c) => c.notNull())
        .addColumn('public_key', types.text, (c) => c.notNull()) // base64 of the SSH key blob
        .addColumn('status', types.text, (c) => c.notNull())
        .addColumn('first_seen_at', types.datetime, (c) => c.notNull().defaultTo(now))
        .addColumn('last_seen_at', types.datetime, (c) => c.notNull().defaultTo(now))
        .addColumn('trusted_by', types.text)
        .addColumn('trusted_at', types.datetime)
        .addColumn('replaced_at', types.datetime)
        .addUniqueConstraint('minke_host_keys_host_fingerprint', ['host', 'fingerprint'])
        .execute();
      await (db as Kysely<Record<string, Record<string, unknown>>>)
        .insertInto('minke_permissions')
        .values([{ codename: 'trust_host_key', name: "Can trust a host's new or changed SSH key" }])
        .execute();
    },
  };
}
