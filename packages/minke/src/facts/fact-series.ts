import type { FactSeries, FactSeriesQuery, HostSeries } from '@minke/contract';
import { InputError } from '../errors.js';
import type { Project } from '../operations/project.js';
import { jsonSql } from '../query/fact-filter.js';
import { pageLimit, pageOffset } from '../query/paging.js';
import { agentsOfHost, hostsWithFact, type FactHost } from './fact-hosts.js';
import { factPath, numberOf } from './fact-path.js';

/** Points in a reply when the query names no maximum. */
export const DEFAULT_SERIES_POINTS = 1000;
/** How far back a series starts when the query gives no `since`. */
export const DEFAULT_SERIES_DAYS = 30;

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * A numeric fact path over time, per host, from the fact history (a row per change of the
 * plugin's value). Each host's series starts with the value it held at `since` (its last
 * version before the window, shown at `since`), so a value that has not changed for months
 * still draws a line. Versions whose value at the path is missing or not a number are left out
 * and counted; a version that changed something else and not the path adds no point.
 *
 * One query reads the whole page, newest first, at most `maxPoints` + 1 rows: when there are
 * more, the reply keeps the newest and says from when.
 *
 * @example
 *   await factSeries(project, { plugin: 'disk', path: 'root.used_percent', host: 'web-1' });
 *   // { hosts: [{ host: 'web-1', points: [{ at: '…', value: 41 }, …] }], skipped: 0, cut: false, … }
 */
export async function factSeries(project: Project, query: FactSeriesQuery): Promise<FactSeries> {
  const { plugin, keys, path } = factPath(query.plugin, query.path);
  const until = query.until === undefined ? new Date() : new Date(query.until);
  const since =
    query.since === undefined
      ? new Date(until.getTime() - DEFAULT_SERIES_DAYS * DAY_MS)
      : new Date(query.since);
  if (since.getTime() >= until.getTime()) {
    throw new InputError('since must be before until', { fields: { since: 'after until' } });
  }
  const maxPoints: number = query.maxPoints ?? DEFAULT_SERIES_POINTS;
  const limit = pageLimit(query.limit);
  const offset = pageOffset(query.offset);
  const hosts =
    query.host === undefined
      ? await hostsWithFact(project, plugin, { limit, offset })
      : await oneHost(project, query.host, { limit, offset });

  const rows = await historyRows(project, { plugin, keys, since, until, maxPoints }, hosts.items);
  const cut = rows.length > maxPoints;
  const kept = rows.slice(0, maxPoints).reverse();
  const byAgent = new Map<number, HostSeries>(
    hosts.items.map((h) => [h.agentId, { host: h.host, node: h.node, points: [] }]),
  );
  let skipped = 0;
  for (const row of kept) {
    const value = numberOf(row.text);
    if (value === undefined) {
      skipped++;
      continue;
    }
    const points = byAgent.get(Number(row.agent_id))?.points;
    if (!points || points.at(-1)?.value === value) continue;
    const at =
      Date.parse(row.collected_at) < since.getTime() ? since.toISOString() : row.collected_at;
    points.push({ at, value });
  }
  const oldest = kept[0]?.collected_at;
  return {
    plugin,
    path,
    since: since.toISOString(),
    until: until.toISOString(),
    hosts: [...byAgent.values()],
    skipped,
    cut,
    message:
      cut && oldest !== undefined
        ? `more than ${maxPoints} points: showing the newest, from ${oldest}; narrow since and until, or ask for one host`
        : null,
    total: hosts.total,
    limit,
    offset,
  };
}

async function oneHost(
  project: Project,
  name: string,
  page: { limit: number; offset: number },
): Promise<{ items: FactHost[]; total: number }> {
  const agents = await agentsOfHost(project, name);
  return { items: agents.slice(page.offset, page.offset + page.limit), total: agents.length };
}

interface HistoryRow {
  agent_id: number;
  collected_at: string;
  text: string | null;
}

/**
 * The versions of the page's hosts in the window, and each host's last version before it, with
 * the value at the path as text: newest first, at most `maxPoints` + 1. The history's index on
 * (agent_id, plugin, collected_at) serves both the rows and the per-host start.
 */
async function historyRows(
  project: Project,
  window: SeriesWindow,
  hosts: readonly FactHost[],
): Promise<HistoryRow[]> {
  if (hosts.length === 0) return [];
  return await seriesQuery(
    project,
    window,
    hosts.map((h) => h.agentId),
  ).execute();
}

export interface SeriesWindow {
  plugin: string;
  keys: string[];
  since: Date;
  until: Date;
  maxPoints: number;
}

/**
 * The one statement a series page costs (exported so a test can read its plan): each host's
 * start (its last version before `since`, else `since`) once per host, then its versions from
 * there, both from the history's index.
 */
export function seriesQuery(project: Project, window: SeriesWindow, agentIds: number[]) {
  const { plugin, since, until } = window;
  const json = jsonSql(project.database.adapter, window.keys);
  const db = project.database.tables;
  const starts = db
    .selectFrom('minke_agents as start_')
    .where('start_.id', 'in', agentIds)
    .select((eb) => [
      'start_.id as agent_id',
      // Not compared with a column directly: encoded here, as the column plugin would.
      eb.fn
        .coalesce(
          eb
            .selectFrom('minke_fact_history as before_')
            .select((b) => b.fn.max('before_.collected_at').as('at'))
            .whereRef('before_.agent_id', '=', 'start_.id')
            .where('before_.plugin', '=', plugin)
            .where('before_.collected_at', '<', since.toISOString()),
          eb.val(project.database.adapter.encodeDate(since)),
        )
        .as('start_at'),
    ]);
  return db
    .selectFrom('minke_fact_history as fact_')
    .innerJoin(starts.as('s'), 's.agent_id', 'fact_.agent_id')
    .select(['fact_.agent_id', 'fact_.collected_at', json.text.as('text')])
    .where('fact_.plugin', '=', plugin)
    .whereRef('fact_.collected_at', '>=', 's.start_at')
    .where('fact_.collected_at', '<', until.toISOString())
    .orderBy('fact_.collected_at', 'desc')
    .orderBy('fact_.id', 'desc')
    .limit(window.maxPoints + 1);
}
