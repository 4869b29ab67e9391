import { sql, type Kysely } from 'kysely';
import type { StoreAdapter } from '../adapter.js';
import type { Migration } from './migration.js';

/**
 * Fact policies: the policies (from the project's files or made through the API), each host's
 * current standing (passing or failing, and since when), and the history of changes: one row
 * each time a host starts passing, starts failing, or leaves the policy's scope ("gone"), so
 * that the counts at any past moment can be computed.
 */
export function policies(adapter: StoreAdapter): Migration {
  const { types } = adapter;
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('minke_policies')
        .addColumn('id', adapter.idType, (c) => c.primaryKey())
        .addColumn('name', types.text, (c) => c.notNull().unique())
        .addColumn('description', types.text, (c) => c.notNull().defaultTo(''))
        .addColumn('where_text', types.text, (c) => c.notNull())
        .addColumn('scope', types.text)
        .addColumn('origin', types.text, (c) => c.notNull())
        .addColumn('created_at', types.datetime, (c) =>
          c.notNull().defaultTo(sql`CURRENT_TIMESTAMP`),
        )
        .addColumn('updated_at', types.datetime, (c) =>
          c.notNull().defaultTo(sql`CURRENT_TIMESTAMP`),
        )
        .execute();
      await db.schema
        .createTable('minke_policy_results')
        .addColumn('id', adapter.idType, (c) => c.primaryKey())
        .addColumn('policy_id', types.int, (c) =>
          c.notNull().references('minke_policies.id').onDelete('cascade'),
        )
        .addColumn('host_id', types.int, (c) =>
          c.notNull().references('minke_hosts.id').onDelete('cascade'),
        )
        .addColumn('passing', types.bool, (c) => c.notNull())
        .addColumn('since', types.datetime, (c) => c.notNull())
        .addColumn('checked_at', types.datetime, (c) => c.notNull())
        .addUniqueConstraint('minke_policy_results_policy_host', ['policy_id', 'host_id'])
        .execute();
      await db.schema
        .createIndex('minke_policy_results_host')
        .on('minke_policy_results')
        .column('host_id')
        .execute();
      // History keeps the host's name: a deleted host's past still counts in the chart.
      await db.schema
        .createTable('minke_policy_history')
        .addColumn('id', adapter.idType, (c) => c.primaryKey())
        .addColumn('policy_id', types.int, (c) =>
          c.notNull().references('minke_policies.id').onDelete('cascade'),
        )
        .addColumn('host_id', types.int)
        .addColumn('host_name', types.text, (c) => c.notNull())
        .addColumn('state', types.text, (c) => c.notNull())
        .addColumn('changed_at', types.datetime, (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('minke_policy_history_policy_time')
        .on('minke_policy_history')
        .columns(['policy_id', 'changed_at'])
        .execute();
      await db.schema
        .createIndex('minke_policy_history_host')
        .on('minke_policy_history')
        .columns(['host_id', 'policy_id'])
        .execute();
    },
  };
}
