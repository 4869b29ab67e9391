import type { Presence } from '@minke/protocol';
import type { MinkeKysely } from '../store/minke-kysely.js';
import { inTransaction, type DatabaseHandle } from '../store/transaction.js';

/** How long an agent's presence changes are kept: the dashboard draws the last 7 days. */
export const PRESENCE_HISTORY_DAYS = 31;

/** Rows per statement: well under SQLite's bound-parameter limit. */
const CHUNK = 500;

/**
 * Records the presences that arrived together (online or a last will) in one commit: the
 * fleet reconnecting after a restart is thousands of presences a second, and a statement per
 * presence made the database the largest cost of a reconnect storm. Per batch: one update per
 * direction (online, offline) that also gives the agents whose state changed, one history insert
 * for those, and one update of what agents say about themselves per distinct self-description
 * (a fleet mostly runs one agent version with the same plugins). The agents must exist
 * (`AgentStore.ensureAll`). A node heard more than once in the batch has its presences applied
 * in order, each in a later round of the same commit, so no change of state is lost.
 */
export async function recordPresences(
  database: DatabaseHandle,
  presences: readonly Presence[],
  now = new Date(),
): Promise<void> {
  if (presences.length === 0) return;
  await inTransaction(database, async ({ tables: trx }) => {
    for (const round of roundsOfDistinctNodes(presences)) {
      for (const online of [true, false]) {
        const nodes = round.filter((p) => p.online === online).map((p) => p.node);
        for (const chunk of chunks(nodes)) {
          const changed = await trx
            .updateTable('minke_agents')
            .set({ online })
            .where('node', 'in', chunk)
            .where('online', '=', !online)
            .returning('id')
            .execute();
          await recordPresenceChanges(trx, changed, online, now);
        }
      }
      for (const group of bySelfDescription(round)) {
        for (const chunk of chunks(group.nodes)) {
          await trx
            .updateTable('minke_agents')
            .set({
              last_seen: now,
              agent_version: group.agentVersion,
              plugins: group.plugins,
              rejected: group.rejected,
            })
            .where('node', 'in', chunk)
            .execute();
        }
      }
    }
  });
}

/**
 * One presence-history row per agent whose `online` just changed (only changes are written:
 * the state at any moment is the last row before it, or the opposite of the first row after
 * it). An agent's rows older than PRESENCE_HISTORY_DAYS go at its next change.
 */
export async function recordPresenceChanges(
  trx: MinkeKysely,
  changed: readonly { id: number }[],
  online: boolean,
  at: Date,
): Promise<void> {
  const before = new Date(at.getTime() - PRESENCE_HISTORY_DAYS * 86_400_000);
  for (const chunk of chunks(changed.map((row) => row.id))) {
    await trx
      .insertInto('minke_agent_presence')
      .values(chunk.map((id) => ({ agent_id: id, online, changed_at: at })))
      .execute();
    await trx
      .deleteFrom('minke_agent_presence')
      .where('agent_id', 'in', chunk)
      .where('changed_at', '<', before.toISOString())
      .execute();
  }
}

/** The presences split so that no node appears twice in a round; order kept per node. */
function roundsOfDistinctNodes(presences: readonly Presence[]): Presence[][] {
  const rounds: { nodes: Set<string>; presences: Presence[] }[] = [];
  const roundOf = new Map<string, number>();
  for (const presence of presences) {
    const index = (roundOf.get(presence.node) ?? -1) + 1;
    roundOf.set(presence.node, index);
    const round = (rounds[index] ??= { nodes: new Set(), presences: [] });
    round.nodes.add(presence.node);
    round.presences.push(presence);
  }
  return rounds.map((round) => round.presences);
}

interface SelfDescription {
  agentVersion: string;
  plugins: Presence['plugins'];
  rejected: Presence['rejected'];
  nodes: string[];
}

/** Nodes grouped by what they say about themselves (version, plugins, rejected plugins). */
function bySelfDescription(presences: readonly Presence[]): SelfDescription[] {
  const groups = new Map<string, SelfDescription>();
  for (const { node, agentVersion, plugins, rejected } of presences) {
    const key = JSON.stringify([agentVersion, plugins, rejected]);
    const group = groups.get(key) ?? { agentVersion, plugins, rejected, nodes: [] };
    group.nodes.push(node);
    groups.set(key, group);
  }
  return [...groups.values()];
}

function chunks<T>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += CHUNK) out.push(items.slice(i, i + CHUNK));
  return out;
}
