import type { DatabaseHandle } from '../store/transaction.js';

/** What a policy can look at on one host: its row, its groups and its facts. */
export interface HostState {
  id: number;
  name: string;
  /** The host's columns (`name`, `port`, `disabled` ...), decoded. */
  fields: Record<string, unknown>;
  groups: { id: number; name: string }[];
  /** Each plugin's fact values, one per agent of the host (usually one). */
  facts: Map<string, unknown[]>;
}

const CHUNK = 500;

/**
 * Reads the state of some hosts in three queries per 500 hosts (rows, group memberships, facts
 * of their agents), so that their policies can be evaluated in memory instead of one query per
 * policy over the whole fleet. Only the host's own fact documents are read.
 */
export async function loadHostStates(
  database: DatabaseHandle,
  hostIds: readonly number[],
): Promise<Map<number, HostState>> {
  const out = new Map<number, HostState>();
  for (let i = 0; i < hostIds.length; i += CHUNK) {
    const chunk = hostIds.slice(i, i + CHUNK);
    const db = database.tables;
    const rows = await db.selectFrom('minke_hosts').selectAll().where('id', 'in', chunk).execute();
    for (const row of rows)
      out.set(row.id, {
        id: row.id,
        name: row.name,
        fields: { ...row },
        groups: [],
        facts: new Map(),
      });
    const members = await db
      .selectFrom('minke_host_group_members as m')
      .innerJoin('minke_host_groups as g', 'g.id', 'm.group_id')
      .select(['m.host_id', 'g.id', 'g.name'])
      .where('m.host_id', 'in', chunk)
      .execute();
    for (const member of members)
      out.get(member.host_id)?.groups.push({ id: member.id, name: member.name });
    const facts = await db
      .selectFrom('minke_facts as f')
      .innerJoin('minke_agents as a', 'a.id', 'f.agent_id')
      .select(['a.host_id', 'f.plugin', 'f.value'])
      .where('a.host_id', 'in', chunk)
      .execute();
    for (const fact of facts) {
      const host = fact.host_id === null ? undefined : out.get(fact.host_id);
      if (!host) continue;
      const values = host.facts.get(fact.plugin) ?? [];
      values.push(fact.value);
      host.facts.set(fact.plugin, values);
    }
  }
  return out;
}
