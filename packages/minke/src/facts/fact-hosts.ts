import { NotFoundError } from '../errors.js';
import type { Project } from '../operations/project.js';
import { countedPage } from '../store/counted-page.js';

/** A host and the agent that reports its facts. */
export interface FactHost {
  hostId: number;
  host: string;
  agentId: number;
  node: string;
}

/** The hosts whose agent reported `plugin`, by name, a page of them, and how many in all. */
export async function hostsWithFact(
  project: Project,
  plugin: string,
  page: { limit: number; offset: number },
): Promise<{ items: FactHost[]; total: number }> {
  const base = project.database.tables
    .selectFrom('minke_facts as f')
    .innerJoin('minke_agents as a', 'a.id', 'f.agent_id')
    .innerJoin('minke_hosts as h', 'h.id', 'a.host_id')
    .where('f.plugin', '=', plugin);
  const { rows, total } = await countedPage(base, page, (query) =>
    query
      .select(['h.id as hostId', 'h.name as host', 'a.id as agentId', 'a.node'])
      .orderBy('h.name')
      .orderBy('a.node'),
  );
  return { items: rows.map(toFactHost), total };
}

/** A host's agents (usually one, none when it has no agent); an unknown host is NotFound. */
export async function agentsOfHost(project: Project, name: string): Promise<FactHost[]> {
  const host = await project.database.tables
    .selectFrom('minke_hosts')
    .select(['id', 'name'])
    .where('name', '=', name)
    .executeTakeFirst();
  if (!host) throw new NotFoundError(`host ${name} does not exist`);
  const agents = await project.database.tables
    .selectFrom('minke_agents')
    .select(['id', 'node'])
    .where('host_id', '=', host.id)
    .orderBy('node')
    .execute();
  return agents.map((agent) =>
    toFactHost({ hostId: host.id, host: host.name, agentId: agent.id, node: agent.node }),
  );
}

function toFactHost(row: { hostId: unknown; host: string; agentId: unknown; node: string }) {
  return {
    hostId: Number(row.hostId),
    host: row.host,
    agentId: Number(row.agentId),
    node: row.node,
  };
}
