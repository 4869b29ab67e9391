import { sql, type Kysely } from 'kysely';
import type { StoreAdapter } from '../adapter.js';
import type { Migration } from './migration.js';

/** Hosts, host groups, users, and the record of user model schemas. */
export function hostsAndUsers(adapter: StoreAdapter): Migration {
  const { types } = adapter;
  const now = sql`CURRENT_TIMESTAMP`;
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('minke_hosts')
        .addColumn('id', adapter.idType, (c) => c.primaryKey())
        .addColumn('name', types.text, (c) => c.notNull().unique())
        .addColumn('hostname', types.text)
        .addColumn('port', types.int)
        .addColumn('user', types.text)
        .addColumn('config', types.json, (c) => c.notNull().defaultTo('{}'))
        .addColumn('disabled', types.bool, (c) => c.notNull().defaultTo(adapter.encodeBool(false)))
        .addColumn('comment', types.text)
        .addColumn('created_at', types.datetime, (c) => c.notNull().defaultTo(now))
        .addColumn('updated_at', types.datetime, (c) => c.notNull().defaultTo(now))
        .execute();
      await db.schema
        .createTable('minke_host_groups')
        .addColumn('id', adapter.idType, (c) => c.primaryKey())
        .addColumn('name', types.text, (c) => c.notNull().unique())
        .addColumn('config', types.json, (c) => c.notNull().defaultTo('{}'))
        .addColumn('comment', types.text)
        .addColumn('created_at', types.datetime, (c) => c.notNull().defaultTo(now))
        .addColumn('updated_at', types.datetime, (c) => c.notNull().defaultTo(now))
        .execute();
      await db.schema
        .createTable('minke_host_group_members')
        .addColumn('host_id', types.int, (c) =>
          c.notNull().references('minke_hosts.id').onDelete('cascade'),
        )
        .addColumn('group_id', types.int, (c) =>
          c.notNull().references('minke_host_groups.id').onDelete('cascade'),
        )
        // Groups apply in this order when their connection configs are merged.
        .addColumn('position', types.int, (c) => c.notNull().defaultTo(0))
        .addPrimaryKeyConstraint('minke_host_group_members_pk', ['host_id', 'group_id'])
        .execute();
      await db.schema
        .createIndex('minke_host_group_members_group')
        .on('minke_host_group_members')
        .column('group_id')
        .execute();
      await db.schema
        .createTable('minke_users')
        .addColumn('id', adapter.idType, (c) => c.primaryKey())
        .addColumn('username', types.text, (c) => c.notNull().unique())
        .addColumn('password_hash', types.text, (c) => c.notNull())
        .addColumn('is_superuser', types.bool, (c) =>
          c.notNull().defaultTo(adapter.encodeBool(false)),
        )
        .addColumn('is_active', types.bool, (c) => c.notNull().defaultTo(adapter.encodeBool(true)))
        .addColumn('created_at', types.datetime, (c) => c.notNull().defaultTo(now))
        .addColumn('last_login', types.datetime)
        .execute();
      await db.schema
        .createTable('minke_model_schemas')
        .addColumn('model', types.text, (c) => c.primaryKey())
        .addColumn('table_name', types.text, (c) => c.notNull())
        .addColumn('fields', types.json, (c) => c.notNull())
        .addColumn('updated_at', types.datetime, (c) => c.notNull().defaultTo(now))
        .execute();
    },
  };
}
