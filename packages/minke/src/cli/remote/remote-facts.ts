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
import { MAX_PAGE_SIZE } from '@minke/contract';
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

/**
 * `/api/hosts/:name/facts[/history]` and `/api/facts/series|changes|distribution`. A name is a
 * host's first and an agent's node name second, as `AgentStore.forHostOrNode` reads it on the
 * project: a node reports facts before a host of its name exists.
 */
export function remoteFacts(client: ApiClient): FactsSource {
  return {
    async current(name, plugin) {
      const { node, reply } = await hostOrNode<HostFacts, NodeFacts>(
        client,
        name,
        '',
        {},
        (host) => host.agent?.node ?? null,
      );
      const facts = reply.facts.filter((fact) => plugin === undefined || fact.plugin === plugin);
      return { node, facts };
    },
    async history(name, plugin, limit) {
      const rows: FactRecord[] = [];
      const seen = new Set<string>();
      const pageAfter = (before: string | undefined) => ({
        plugin,
        limit: Math.max(1, Math.min(MAX_PAGE_SIZE, limit - rows.length)),
        ...(before === undefined ? {} : { before }),
      });
      // The first page finds the path (the host's agent, or the node of this name); the next
      // pages read the same one, each after the last version read (at any depth).
      const first = await hostOrNode<FactHistoryPage, NodeFactHistoryPage>(
        client,
        name,
        '/history',
        pageAfter(undefined),
        (host) => host.node,
      );
      let reply: FactHistoryPage | NodeFactHistoryPage = first.reply;
      // Each page brings at least one row or ends the loop, so it ends by the limit.
      for (;;) {
        // The diff against the version before is the API's extra; the rows are what the CLI shows.
        for (const { changes: _changes, ...row } of reply.items) {
          // A server that ignores `before` (older than this CLI) would send the first page again.
          if (seen.has(row.resultId))
            throw new Error('the server sent a version twice: it may be older than this minke');
          seen.add(row.resultId);
          rows.push(row);
        }
        const last = rows.at(-1);
        if (reply.items.length === 0 || !last || rows.length >= Math.min(limit, reply.total)) break;
        reply = await client.get<FactHistoryPage | NodeFactHistoryPage>(
          first.path,
          pageAfter(last.resultId),
        );
      }
      return rows.slice(0, limit);
    },
    series: (query) => client.get<FactSeries>('/api/facts/series', query),
    changes: (query) => client.get<FactChangesPage>('/api/facts/changes', query),
    distribution: (query) => client.get<FactDistribution>('/api/facts/distribution', query),
  };
}

/**
 * GETs `/api/hosts/NAME/facts<suffix>` and, when no host of that name has an agent (a 404, or
 * `nodeOfHost` says none), `/api/agents/NAME/facts<suffix>`: a name is a host's first and an
 * agent's node name second. Returns the reply, the node that reported it and the path that
 * answered.
 */
async function hostOrNode<H, N extends { node: string }>(
  client: ApiClient,
  name: string,
  suffix: string,
  query: Record<string, string | number>,
  nodeOfHost: (reply: H) => string | null,
): Promise<{ node: string; reply: H | N; path: string }> {
  const hostPath = `/api/hosts/${encodeURIComponent(name)}/facts${suffix}`;
  const byHost = await client.get<H>(hostPath, query).catch(unlessNotFound);
  const hostNode = byHost === undefined ? null : nodeOfHost(byHost);
  if (byHost !== undefined && hostNode !== null)
    return { node: hostNode, reply: byHost, path: hostPath };
  const nodePath = `/api/agents/${encodeURIComponent(name)}/facts${suffix}`;
  const byNode = await client.get<N>(nodePath, query).catch(unlessNotFound);
  if (byNode === undefined) throw noAgent(name);
  return { node: byNode.node, reply: byNode, path: nodePath };
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
