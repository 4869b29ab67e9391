import type { FactChangesPage, FactChangesQuery, FactValueChange } from '@minke/contract';
import type { Project } from '../operations/project.js';
import { jsonSql, type JsonSql } from '../query/fact-filter.js';
import { pageLimit, pageOffset } from '../query/paging.js';
import { factPath } from './fact-path.js';

/** The period when the query names none. */
export const DEFAULT_CHANGE_DAYS = 7;
/** The most versions one question reads: a period busier than this is answered in part. */
export const MAX_CHANGE_ROWS = 50_000;
/** Hosts whose previous version one query reads (a bound on the statement's parameters). */
const BASELINE_CHUNK = 500;

const DAY_MS = 24 * 60 * 60 * 1000;

interface VersionRow {
  agent_id: number;
  node: string;
  host: string;
  collected_at: string;
  text: string | null;
}

/**
 * Which hosts changed a fact path's value in the last `days` days: host, value before, value
 * after and when, newest first. A version counts only when the value at the path differs from
 * the host's version before it (the plugin's other keys may have changed alone); a host's first
 * version ever is its first report, not a change.
 *
 * Reads the period's versions of the plugin (at most MAX_CHANGE_ROWS, with a message when there
 * were more) and, for the hosts among them, the version each held when the period began.
 *
 * @example
 *   await factChanges(project, { plugin: 'os', path: 'kernel', days: 7 });
 *   // { items: [{ host: 'web-1', before: '6.1.0-17', after: '6.1.0-18', at: '…' }], … }
 */
export async function factChanges(
  project: Project,
  query: FactChangesQuery,
): Promise<FactChangesPage> {
  const { plugin, keys, path } = factPath(query.plugin, query.path);
  const days = query.days ?? DEFAULT_CHANGE_DAYS;
  const since = new Date(Date.now() - days * DAY_MS);
  const limit = pageLimit(query.limit);
  const offset = pageOffset(query.offset);
  const json = jsonSql(project.database.adapter, keys);
  const rows = await versionsSince(project, plugin, json, since);
  const cut = rows.length > MAX_CHANGE_ROWS;
  const read = rows.slice(0, MAX_CHANGE_ROWS);
  const before = await versionsBefore(project, plugin, json, since, [
    ...new Set(read.map((row) => Number(row.agent_id))),
  ]);
  const changes: FactValueChange[] = [];
  let previous: { agentId: number; text: string | null } | undefined;
  for (const row of read) {
    const agentId = Number(row.agent_id);
    if (previous?.agentId !== agentId) {
      previous = before.has(agentId) ? { agentId, text: before.get(agentId) ?? null } : undefined;
    }
    if (previous !== undefined && previous.text !== row.text) {
      changes.push({
        host: row.host,
        node: row.node,
        at: row.collected_at,
        before: previous.text,
        after: row.text,
      });
    }
    previous = { agentId, text: row.text };
  }
  changes.sort((a, b) => b.at.localeCompare(a.at) || a.host.localeCompare(b.host));
  return {
    plugin,
    path,
    since: since.toISOString(),
    items: changes.slice(offset, offset + limit),
    total: changes.length,
    limit,
    offset,
    cut,
    message: cut
      ? `the last ${days} days hold more than ${MAX_CHANGE_ROWS} versions of ${plugin}: these are the changes among the first ${MAX_CHANGE_ROWS}; ask for fewer days`
      : null,
  };
}

/** The plugin's versions since `since` on hosts, by agent and time, the value at the path. */
async function versionsSince(
  project: Project,
  plugin: string,
  json: JsonSql,
  since: Date,
): Promise<VersionRow[]> {
  const rows = await project.database.tables
    .selectFrom('minke_fact_history as fact_')
    .innerJoin('minke_agents as a', 'a.id', 'fact_.agent_id')
    .innerJoin('minke_hosts as h', 'h.id', 'a.host_id')
    .select(['fact_.agent_id', 'a.node', 'h.name as host', 'fact_.collected_at'])
    .select(json.text.as('text'))
    .where('fact_.plugin', '=', plugin)
    .where('fact_.collected_at', '>=', since.toISOString())
    .orderBy('fact_.agent_id')
    .orderBy('fact_.collected_at')
    .orderBy('fact_.id')
    .limit(MAX_CHANGE_ROWS + 1)
    .execute();
  return rows;
}

/** Each agent's last version before `since`: the value at the path, by agent id. */
async function versionsBefore(
  project: Project,
  plugin: string,
  json: JsonSql,
  since: Date,
  agentIds: readonly number[],
): Promise<Map<number, string | null>> {
  const out = new Map<number, string | null>();
  for (let i = 0; i < agentIds.length; i += BASELINE_CHUNK) {
    const chunk = agentIds.slice(i, i + BASELINE_CHUNK);
    const rows = await project.database.tables
      .selectFrom('minke_fact_history as fact_')
      .select(['fact_.agent_id', json.text.as('text')])
      .where('fact_.agent_id', 'in', chunk)
      .where('fact_.plugin', '=', plugin)
      .where((eb) =>
        eb(
          'fact_.collected_at',
          '=',
          eb
            .selectFrom('minke_fact_history as before_')
            .select((b) => b.fn.max('before_.collected_at').as('at'))
            .whereRef('before_.agent_id', '=', 'fact_.agent_id')
            .where('before_.plugin', '=', plugin)
            .where('before_.collected_at', '<', since.toISOString()),
        ),
      )
      .orderBy('fact_.id')
      .execute();
    // Two versions at the same instant: the later row wins, as it would have in time.
    for (const row of rows) out.set(Number(row.agent_id), (row as { text: string | null }).text);
  }
  return out;
}
