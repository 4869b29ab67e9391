import type { DatabaseHandle } from '../store/transaction.js';

/** How many agents were online at one instant. */
export interface OnlineAt {
  at: string;
  online: number;
}

/**
 * Agents online at each `stepMs` from `since` to `until` (both included), from the presence
 * history the agent store keeps (one row per change). An agent's state at `since` is the opposite
 * of its first change after it (rows are changes only), or, with no change since, its state now;
 * then each change applies at its time. A server that was down heard nobody leave: its agents
 * count as they were last heard until it marks them offline at its start.
 *
 * @example
 *   await agentsOnlineOverTime(database, { since: weekAgo, until: now, stepMs: 3_600_000 });
 */
export async function agentsOnlineOverTime(
  database: Pick<DatabaseHandle, 'tables'>,
  range: { since: Date; until: Date; stepMs: number },
): Promise<OnlineAt[]> {
  const [agents, changes] = await Promise.all([
    database.tables.selectFrom('minke_agents').select(['id', 'online']).execute(),
    database.tables
      .selectFrom('minke_agent_presence')
      .select(['agent_id', 'online', 'changed_at'])
      // every change after `since`, later ones too: they tell each agent's state at `since`
      .where('changed_at', '>', range.since.toISOString())
      .orderBy('changed_at')
      .orderBy('id')
      .execute(),
  ]);
  const online = new Map(agents.map((agent) => [agent.id, agent.online]));
  const seen = new Set<number>();
  for (const change of changes) {
    if (seen.has(change.agent_id)) continue;
    seen.add(change.agent_id);
    online.set(change.agent_id, !change.online);
  }
  let count = [...online.values()].filter(Boolean).length;
  const points: OnlineAt[] = [];
  let next = 0;
  for (const at of instants(range)) {
    for (; next < changes.length; next++) {
      const change = changes[next];
      if (!change || Date.parse(change.changed_at) > at) break;
      if (online.get(change.agent_id) !== change.online) count += change.online ? 1 : -1;
      online.set(change.agent_id, change.online);
    }
    points.push({ at: new Date(at).toISOString(), online: count });
  }
  return points;
}

/** `since`, every `stepMs` after it, and `until` (bounded: at most 10,000 instants). */
function instants({ since, until, stepMs }: { since: Date; until: Date; stepMs: number }) {
  const start = since.getTime();
  const end = until.getTime();
  const step = Math.max(stepMs, (end - start) / 10_000, 1);
  const out: number[] = [];
  for (let at = start; at < end; at += step) out.push(at);
  out.push(end);
  return out;
}
