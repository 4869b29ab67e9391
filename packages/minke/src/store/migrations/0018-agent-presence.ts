import type { Kysely } from 'kysely';
import type { StoreAdapter } from '../adapter.js';
import type { Migration } from './migration.js';

/**
 * Agent presence over time: one row each time an agent goes online or offline (only real
 * changes), so that how many agents were online at any past moment can be counted. The agent
 * store writes it beside `minke_agents.online` and keeps a few weeks of it.
 */
export function agentPresence(adapter: StoreAdapter): Migration {
  const { types } = adapter;
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('minke_agent_presence')
        .addColumn('id', adapter.idType, (c) => c.primaryKey())
        .addColumn('agent_id', types.int, (c) =>
          c.notNull().references('minke_agents.id').onDelete('cascade'),
        )
        .addColumn('online', types.bool, (c) => c.notNull())
        .addColumn('changed_at', types.datetime, (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('minke_agent_presence_time')
        .on('minke_agent_presence')
        .column('changed_at')
        .execute();
      await db.schema
        .createIndex('minke_agent_presence_agent_time')
        .on('minke_agent_presence')
        .columns(['agent_id', 'changed_at'])
        .execute();
    },
  };
}
