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
 * Agents by node name, a page at a time, with the fleet's online count: the page, its count and
 * the fleet's counts are each one query (10,000 agents: a page no longer reads them all).
 *
 * @example
 *   const page = await listAgents(project, { online: false, limit: 20 });
 */
export async function listAgents(project: Project, query: AgentListQuery = {}): Promise<AgentPage> {
  const limit = pageLimit(query.limit);
  const offset = pageOffset(query.offset);
  const store = new AgentStore(project);
  const [page, fleet] = await Promise.all([
    store.page({ online: query.online, search: query.search, limit, offset }),
    store.fleet(),
  ]);
  return { ...page, limit, offset, fleet };
}
