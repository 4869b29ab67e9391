import type { Kysely } from 'kysely';
import type { StoreAdapter } from '../adapter.js';
import type { Migration } from './migration.js';

/**
 * Permissions (per model: view, add, change, delete; per session: run), user groups, and who
 * holds which, directly or through a group.
 */
export function permissions(adapter: StoreAdapter): Migration {
  const { types } = adapter;
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('minke_permissions')
        .addColumn('id', adapter.idType, (c) => c.primaryKey())
        .addColumn('codename', types.text, (c) => c.notNull().unique())
        .addColumn('name', types.text, (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('minke_user_groups')
        .addColumn('id', adapter.idType, (c) => c.primaryKey())
        .addColumn('name', types.text, (c) => c.notNull().unique())
        .execute();
      const link = (table: string, left: [string, string], right: [string, string]) =>
        db.schema
          .createTable(table)
          .addColumn(left[0], types.int, (c) =>
            c.notNull().references(`${left[1]}.id`).onDelete('cascade'),
          )
          .addColumn(right[0], types.int, (c) =>
            c.notNull().references(`${right[1]}.id`).onDelete('cascade'),
          )
          .addPrimaryKeyConstraint(`${table}_pk`, [left[0], right[0]])
          .execute();
      await link(
        'minke_user_group_members',
        ['user_id', 'minke_users'],
        ['group_id', 'minke_user_groups'],
      );
      await link(
        'minke_user_group_permissions',
        ['group_id', 'minke_user_groups'],
        ['permission_id', 'minke_permissions'],
      );
      await link(
        'minke_user_permissions',
        ['user_id', 'minke_users'],
        ['permission_id', 'minke_permissions'],
      );
    },
  };
}
