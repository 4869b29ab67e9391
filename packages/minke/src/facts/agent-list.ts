import type { Project } from '../operations/project.js';
import { pageLimit, pageOffset } from '../query/paging.js';
import { AgentStore, type AgentRecord } from './agent-store.js';

export interface AgentListQuery {
  /** Only online (true) or offline (false) agents. */
  online?: boolean | undefined;
  /** Part of the node or host name, any case. */
  search?: string | undefined;
  limit?: number | undefined;
  offset?: number | undefined;
}

export interface AgentPage {
  items: AgentRecord[];
  /** How many agents match the query. */
  total: number;
  limit: number;
  offset: number;
  /** The whole fleet, whatever the query: for "N of M online". */
  fleet: { total: number; online: number };
}

/**
 * Agents by node name, a page at a time, with the fleet's online count. The list is read whole
 * (one row per node, thousands at most) and paged here.
 *
 * @example
 *   const page = await listAgents(project, { online: false, limit: 20 });
 */
export async function listAgents(project: Project, query: AgentListQuery = {}): Promise<AgentPage> {
  const limit = pageLimit(query.limit);
  const offset = pageOffset(query.offset);
  const all = await new AgentStore(project).list();
  const needle = query.search?.trim().toLowerCase() ?? '';
  const matching = all.filter(
    (agent) =>
      (query.online === undefined || agent.online === query.online) &&
      (needle === '' ||
        agent.node.toLowerCase().includes(needle) ||
        (agent.hostName ?? '').toLowerCase().includes(needle)),
  );
  return {
    items: matching.slice(offset, offset + limit),
    total: matching.length,
    limit,
    offset,
    fleet: { total: all.length, online: all.filter((agent) => agent.online).length },
  };
}
