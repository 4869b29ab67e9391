import type { FactDistribution, FactDistributionQuery } from '@minke/contract';
import { sql } from 'kysely';
import type { Project } from '../operations/project.js';
import { jsonSql } from '../query/fact-filter.js';
import { factPath } from './fact-path.js';

/** Values named when the query does not say how many. */
export const DEFAULT_DISTRIBUTION_TOP = 10;

/**
 * How the fleet's current values of a fact path spread over hosts: the `top` commonest values
 * with their host counts, the rest summed as "other", and the hosts whose fact lacks the path.
 * Values are text as the fact search compares them, so `facts.<plugin>.<path> = "<value>"`
 * finds exactly the hosts a value counts. Two grouped queries over the current facts, whatever
 * the fleet's size.
 *
 * @example
 *   await factDistribution(project, { plugin: 'os', path: 'kernel', top: 3 });
 *   // { values: [{ value: '6.1.0-18', hosts: 812 }, …], other: { values: 4, hosts: 37 }, missing: 2, … }
 */
export async function factDistribution(
  project: Project,
  query: FactDistributionQuery,
): Promise<FactDistribution> {
  const { plugin, keys, path } = factPath(query.plugin, query.path);
  const top = query.top ?? DEFAULT_DISTRIBUTION_TOP;
  const json = jsonSql(project.database.adapter, keys);
  const present = keys.length === 0 ? sql<boolean>`1 = 1` : json.exists;
  // One row per host's fact: its value at the path (NULL when missing), grouped outside, so
  // PostgreSQL groups by a column rather than an expression with parameters.
  const facts = project.database.tables
    .selectFrom('minke_facts as fact_')
    .innerJoin('minke_agents as a', 'a.id', 'fact_.agent_id')
    .innerJoin('minke_hosts as h', 'h.id', 'a.host_id')
    .where('fact_.plugin', '=', plugin)
    .select(sql<string | null>`CASE WHEN ${present} THEN ${json.text} END`.as('v'));
  const counts = await project.database.tables
    .selectFrom(facts.as('t'))
    .select(['t.v', (eb) => eb.fn.countAll().as('n')])
    .where('t.v', 'is not', null)
    .groupBy('t.v')
    .orderBy('n', 'desc')
    .orderBy('t.v')
    .limit(top)
    .execute();
  const totals = await project.database.tables
    .selectFrom(facts.as('t'))
    .select((eb) => [
      eb.fn.countAll().as('total'),
      eb.fn.count('t.v').as('present'),
      eb.fn.count('t.v').distinct().as('distinct'),
    ])
    .executeTakeFirst();
  const values = counts.map((row) => ({ value: String(row.v), hosts: Number(row.n) }));
  const named = values.reduce((sum, value) => sum + value.hosts, 0);
  const total = Number(totals?.total ?? 0);
  const withValue = Number(totals?.present ?? 0);
  return {
    plugin,
    path,
    values,
    other: {
      values: Number(totals?.distinct ?? 0) - values.length,
      hosts: withValue - named,
    },
    missing: total - withValue,
    total,
  };
}
