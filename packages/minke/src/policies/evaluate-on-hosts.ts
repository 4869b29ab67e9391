import type { Project } from '../operations/project.js';
import type { Filter } from '../query/filter.js';
import { parseWhere } from '../query/parse-where.js';
import { dialectOf } from './dialect.js';
import { loadHostStates, type HostState } from './host-state.js';
import { matchHost } from './match-host.js';
import {
  chunked,
  planChanges,
  sqlStandings,
  type EvaluationOutcome,
  type Standings,
} from './policy-plan.js';
import { PolicyStore, type PolicyChange, type PolicyRow } from './policy-store.js';
import type { Dialect } from './sql-semantics.js';

interface ParsedPolicy {
  row: PolicyRow;
  scope: Filter | undefined;
  where: Filter;
}

/**
 * Evaluates policies on a few hosts (those whose facts just changed) in memory: per 500 hosts,
 * their rows, groups and facts in three queries, every policy decided over them, the stored
 * standings in one query and one transaction for the writes. Its cost does not grow with the
 * fleet. A policy memory cannot decide for a host (see `matchHost`) is asked of the database for
 * that host, so the answer is the SQL one either way.
 */
export async function evaluateOnHosts(
  project: Project,
  policies: readonly PolicyRow[],
  hostIds: readonly number[],
  now: Date,
): Promise<EvaluationOutcome> {
  const outcome: EvaluationOutcome = { policies: policies.length, evaluated: 0, changed: [] };
  if (policies.length === 0) return outcome;
  const parsed = policies.map((row) => ({
    row,
    scope: row.scope === null ? undefined : parseWhere(row.scope),
    where: parseWhere(row.where),
  }));
  const dialect = await dialectOf(project.database);
  const store = new PolicyStore(project.database);
  for (const chunk of chunked([...new Set(hostIds)])) {
    const states = await loadHostStates(project.database, chunk);
    const current = await store.resultsOfHosts(chunk);
    const writes: { policyId: number; changes: PolicyChange[] }[] = [];
    for (const policy of parsed) {
      const standings = await standingsOf(project, policy, [...states.values()], dialect);
      const stored = current.get(policy.row.id) ?? new Map();
      const nameOf = (id: number) => states.get(id)?.name ?? `#${id}`;
      const plan = planChanges(policy.row, standings, stored, nameOf, now);
      outcome.evaluated += standings.inScope.size;
      outcome.changed.push(...plan.transitions);
      writes.push({ policyId: policy.row.id, changes: plan.changes });
    }
    const policyIds = policies.map((policy) => policy.id);
    await store.recordHostsEvaluation(policyIds, [...states.keys()], writes, now);
  }
  return outcome;
}

async function standingsOf(
  project: Project,
  policy: ParsedPolicy,
  hosts: readonly HostState[],
  dialect: Dialect,
): Promise<Standings> {
  const standings: Standings = { inScope: new Set(), passing: new Set() };
  const undecided: number[] = [];
  for (const host of hosts) {
    const inScope = policy.scope === undefined ? true : matchHost(policy.scope, host, dialect);
    const passes = matchHost(policy.where, host, dialect);
    if (inScope === 'undecided' || passes === 'undecided') {
      undecided.push(host.id);
      continue;
    }
    if (inScope !== true) continue;
    standings.inScope.add(host.id);
    if (passes === true) standings.passing.add(host.id);
  }
  if (undecided.length > 0) {
    const asked = await sqlStandings(project, policy, undecided);
    for (const id of asked.inScope) standings.inScope.add(id);
    for (const id of asked.passing) standings.passing.add(id);
  }
  return standings;
}
