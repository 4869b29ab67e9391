import type { Kysely } from 'kysely';
import type { StoreAdapter } from '../adapter.js';
import { naturalKeyIndex } from '../natural-key.js';
import type { Migration } from './migration.js';

/**
 * The agents list in its natural node order (`node-2` before `node-10`), a page read off this
 * index: the list was read whole and paged in memory (10,000 agents: about 80 ms a page).
 */
export function agentListIndex(adapter: StoreAdapter): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await naturalKeyIndex(
        adapter.kind,
        'minke_agents_node_natural',
        'minke_agents',
        'node',
      ).execute(db);
    },
  };
}
