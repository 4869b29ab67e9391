import type {
  FactChangesPage,
  FactChangesQuery,
  FactDistribution,
  FactDistributionQuery,
  FactHistoryPage,
  FactRecord,
  FactSeries,
  FactSeriesQuery,
  HostFacts,
  NodeFactHistoryPage,
  NodeFacts,
} from '@minke/contract';
import { NotFoundError } from '../../errors.js';
import { RemoteError, type ApiClient } from './api-client.js';

/**
 * What the agents reported, as `minke facts` reads it: from the local project's database or,
 * with `--server`, through a server's API as the token's user (`view_host`).
 */
export interface FactsSource {
  /** A host's current facts, one per plugin (or one plugin's), and the node that reported them. */
  current(host: string, plugin?: string): Promise<{ node: string; facts: FactRecord[] }>;
  /** The values a plugin reported on a host, newest first, a row per change. */
  history(host: string, plugin: string, limit: number): Promise<FactRecord[]>;
  series(query: FactSeriesQuery): Promise<FactSeries>;
  changes(query: FactChangesQuery): Promise<FactChangesPage>;
  distribution(query: FactDistributionQuery): Promise<FactDistribution>;
}

/** Runs `work` with the facts of the local project or of the server `--server` names. */
export type WithFacts = <T>(work: (facts: FactsSource) => Promise<T>) => Promise<T>;

/** The largest page the API gives (its `limit` is at most 1000). */
const API_PAGE = 1000;
/** Pages read at most: the API starts a history page 10,000 rows deep at most, so 11 reach all. */
const MAX_PAGES = 11;

/**
 * `/api/hosts/:name/facts[/history]` and `/api/facts/series|changes|distribution`. A name is a
 * host's first and an agent's node name second, as `AgentStore.forHostOrNode` reads it on the
 * project: a node reports facts before a host of its name exists.
 */
export function remoteFacts(client: ApiClient): FactsSource {
  return {
    async current(name, plugin) {
      const reply = await agentFacts(client, name);
      const facts = reply.facts.filter((fact) => plugin === undefined || fact.plugin === plugin);
      return { node: reply.node, facts };
    },
    async history(name, plugin, limit) {
      // The host's agent, or the node of this name: the pages below read that agent's path.
      const path = `${(await agentFacts(client, name)).path}/history`;
      const rows: FactRecord[] = [];
      for (let page = 0; page < MAX_PAGES; page++) {
        const reply = await client.get<FactHistoryPage | NodeFactHistoryPage>(path, {
          plugin,
          limit: Math.max(1, Math.min(API_PAGE, limit - rows.length)),
          offset: rows.length,
        });
        // The diff against the version before is the API's extra; the rows are what the CLI shows.
        for (const { changes: _changes, ...row } of reply.items) rows.push(row);
        if (reply.items.length === 0 || rows.length >= Math.min(limit, reply.total)) break;
      }
      return rows.slice(0, limit);
    },
    series: (query) => client.get<FactSeries>('/api/facts/series', query),
    changes: (query) => client.get<FactChangesPage>('/api/facts/changes', query),
    distribution: (query) => client.get<FactDistribution>('/api/facts/distribution', query),
  };
}

/**
 * The current facts of the host `name`'s agent or, when no host of that name has one, of the
 * node `name`; with the API path that reads that agent's facts.
 */
async function agentFacts(
  client: ApiClient,
  name: string,
): Promise<{ node: string; facts: FactRecord[]; path: string }> {
  const hostPath = `/api/hosts/${encodeURIComponent(name)}/facts`;
  const nodePath = `/api/agents/${encodeURIComponent(name)}/facts`;
  const byHost = await client.get<HostFacts>(hostPath).catch(unlessNotFound);
  if (byHost?.agent) return { node: byHost.agent.node, facts: byHost.facts, path: hostPath };
  const byNode = await client.get<NodeFacts>(nodePath).catch(unlessNotFound);
  if (byNode) return { node: byNode.node, facts: byNode.facts, path: nodePath };
  throw noAgent(name);
}

/** A 404 is "not by this path" (undefined); any other error stays what it is. */
function unlessNotFound(error: unknown): undefined {
  if (error instanceof RemoteError && error.status === 404) return undefined;
  throw error;
}

/** As the local project says it (`AgentStore.forHostOrNode`): no host or node of that name. */
function noAgent(name: string): NotFoundError {
  return new NotFoundError(`no agent for host or node ${name}`);
}
