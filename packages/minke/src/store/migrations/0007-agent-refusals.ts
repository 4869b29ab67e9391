import type { Kysely } from 'kysely';
import type { StoreAdapter } from '../adapter.js';
import type { Migration } from './migration.js';

/**
 * The last result the server refused from each agent (too large, too frequent, or not an answer
 * to a request it was asked), and when: shown on the agents page so an operator sees why a node's
 * facts stopped changing.
 */
export function agentRefusals(adapter: StoreAdapter): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .alterTable('minke_agents')
        .addColumn('last_refusal', adapter.types.text)
        .execute();
      await db.schema
        .alterTable('minke_agents')
        .addColumn('last_refusal_at', adapter.types.datetime)
        .execute();
    },
  };
}
