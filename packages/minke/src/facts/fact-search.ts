import { InputError } from '../errors.js';
import { HOST_MODEL } from '../model/host-model.js';
import type { Project } from '../operations/project.js';
import { isCondition, type Filter } from '../query/filter.js';
import { pageLimit, pageOffset } from '../query/paging.js';
import { parseWhere } from '../query/parse-where.js';
import { FACTS_PATH } from '../query/fact-filter.js';

export interface FactSearchQuery {
  /** A `--where` expression on hosts, facts included: `facts.os.release = "12"`. */
  where: string;
  limit?: number | undefined;
  offset?: number | undefined;
}

/** One host that matched, with the values of the fact paths the expression names. */
export interface FactSearchHit {
  hostId: number;
  host: string;
  /** The host's agent, if it has one. */
  node: string | null;
  online: boolean | null;
  /** By path as written (`facts.os.release`); a host without that fact has null there. */
  values: Record<string, unknown>;
}

export interface FactSearchPage {
  /** The fact paths the expression names, in order of appearance: the columns to show. */
  paths: string[];
  items: FactSearchHit[];
  total: number;
  limit: number;
  offset: number;
}

/**
 * Fleet fact search: the hosts a filter matches (the `--where` language, fact paths included),
 * ordered by name, with the current value of every fact path the filter names, so a reader sees
 * why each host matched.
 *
 * @example
 *   const page = await searchFacts(project, { where: 'facts.os.release >= 12' });
 *   // page.paths: ['facts.os.release']; page.items[0].values['facts.os.release']: '12'
 */
export async function searchFacts(
  project: Project,
  query: FactSearchQuery,
): Promise<FactSearchPage> {
  if (query.where.trim() === '') {
    throw new InputError('give a filter, as in facts.os.release = "12"', {
      fields: { where: 'empty' },
    });
  }
  const filter = parseWhere(query.where);
  const paths = factPaths(filter);
  const page = await project.records.list(HOST_MODEL, {
    filter,
    order: ['name'],
    limit: pageLimit(query.limit),
    offset: pageOffset(query.offset),
  });
  const hostIds = page.items.map((host) => Number(host['id']));
  const agents = await agentsOf(project, hostIds);
  const facts = await currentFacts(project, hostIds, [...new Set(paths.map((p) => p[1]))]);
  return {
    paths: paths.map((path) => path.join('.')),
    items: page.items.map((host): FactSearchHit => {
      const id = Number(host['id']);
      const agent = agents.get(id);
      const values: Record<string, unknown> = {};
      for (const [, plugin, ...keys] of paths) {
        const path = [FACTS_PATH, plugin, ...keys].join('.');
        const fact = facts.get(`${id}\n${plugin}`);
        values[path] = fact === undefined ? null : (valueAt(fact, keys) ?? null);
      }
      return {
        hostId: id,
        host: String(host['name']),
        node: agent?.node ?? null,
        online: agent?.online ?? null,
        values,
      };
    }),
    total: page.total,
    limit: page.limit,
    offset: page.offset,
  };
}

/** The `facts.<plugin>...` paths a filter names, each once, in order of appearance. */
export function factPaths(filter: Filter): [string, string, ...string[]][] {
  const found = new Map<string, [string, string, ...string[]]>();
  const visit = (node: Filter): void => {
    if (isCondition(node)) {
      const [head, plugin, ...keys] = node.path;
      if (head === FACTS_PATH && plugin !== undefined)
        found.set(node.path.join('.'), [head, plugin, ...keys]);
      return;
    }
    if ('and' in node) node.and.forEach(visit);
    else if ('or' in node) node.or.forEach(visit);
    else visit(node.not);
  };
  visit(filter);
  return [...found.values()];
}

/** The part of a fact value at `keys` (digits index lists), or undefined. */
export function valueAt(value: unknown, keys: readonly string[]): unknown {
  let here = value;
  for (const key of keys) {
    if (Array.isArray(here) && /^\d+$/.test(key)) here = here[Number(key)];
    else if (typeof here === 'object' && here !== null && !Array.isArray(here))
      here = Object.hasOwn(here, key) ? (here as Record<string, unknown>)[key] : undefined;
    else return undefined;
  }
  return here;
}

async function agentsOf(
  project: Project,
  hostIds: readonly number[],
): Promise<Map<number, { node: string; online: boolean }>> {
  if (hostIds.length === 0) return new Map();
  const rows = await project.database.tables
    .selectFrom('minke_agents')
    .select(['host_id', 'node', 'online'])
    .where('host_id', 'in', [...hostIds])
    .orderBy('node')
    .execute();
  const out = new Map<number, { node: string; online: boolean }>();
  for (const row of rows) {
    const hostId = Number(row.host_id);
    if (!out.has(hostId)) out.set(hostId, { node: row.node, online: row.online });
  }
  return out;
}

/** Current fact values by `hostId\nplugin`. */
async function currentFacts(
  project: Project,
  hostIds: readonly number[],
  plugins: readonly string[],
): Promise<Map<string, unknown>> {
  if (hostIds.length === 0 || plugins.length === 0) return new Map();
  const rows = await project.database.tables
    .selectFrom('minke_facts as f')
    .innerJoin('minke_agents as a', 'a.id', 'f.agent_id')
    .select(['a.host_id', 'f.plugin', 'f.value'])
    .where('a.host_id', 'in', [...hostIds])
    .where('f.plugin', 'in', [...plugins])
    .execute();
  const out = new Map<string, unknown>();
  for (const row of rows) {
    const key = `${row.host_id}\n${row.plugin}`;
    if (!out.has(key)) out.set(key, row.value);
  }
  return out;
}
