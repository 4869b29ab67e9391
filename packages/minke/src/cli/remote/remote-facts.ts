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
} from '@minke/contract';
import { NotFoundError } from '../../errors.js';
import type { ApiClient } from './api-client.js';

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
 * `/api/hosts/:name/facts[/history]` and `/api/facts/series|changes|distribution`. The API knows
 * hosts by name, so a node without a host is not reachable through it (a 404 naming the host).
 */
export function remoteFacts(client: ApiClient): FactsSource {
  const hostPath = (host: string) => `/api/hosts/${encodeURIComponent(host)}/facts`;
  return {
    async current(host, plugin) {
      const reply = await client.get<HostFacts>(hostPath(host));
      // The local command names the host's agent or fails the same way when it has none.
      if (reply.agent === null) throw noAgent(host);
      const facts = reply.facts.filter((fact) => plugin === undefined || fact.plugin === plugin);
      return { node: reply.agent.node, facts };
    },
    async history(host, plugin, limit) {
      const rows: FactRecord[] = [];
      for (let page = 0; page < MAX_PAGES; page++) {
        const reply = await client.get<FactHistoryPage>(`${hostPath(host)}/history`, {
          plugin,
          limit: Math.max(1, Math.min(API_PAGE, limit - rows.length)),
          offset: rows.length,
        });
        if (reply.node === null) throw noAgent(host);
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

/** As the local project says it (`AgentStore.forHostOrNode`): a host without an agent. */
function noAgent(host: string): NotFoundError {
  return new NotFoundError(`no agent for host or node ${host}`);
}
