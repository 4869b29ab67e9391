import type { Project } from '../operations/project.js';
import { parseWhere } from '../query/parse-where.js';
import { inTransaction } from '../store/transaction.js';
import { evaluateOnHosts } from './evaluate-on-hosts.js';
import {
  chunked,
  planChanges,
  sqlStandings,
  type EvaluationOutcome,
  type PlannedChanges,
} from './policy-plan.js';
import { PolicyStore, type PolicyRow } from './policy-store.js';

export type { EvaluationOutcome } from './policy-plan.js';

export interface EvaluationOptions {
  /** Only these hosts (their facts changed); every host when absent. */
  hostIds?: readonly number[] | undefined;
  /** Only these policies; every policy when absent. */
  policies?: readonly PolicyRow[] | undefined;
  /** The time recorded for changes (tests pass one; else now). */
  now?: Date | undefined;
}

/**
 * Evaluates policies on hosts and records what changed; a history row only where a host's
 * pass/fail changed, the check time for the rest.
 *
 * - Some hosts (a fact change): in memory over those hosts' facts and fields
 *   (`evaluateOnHosts`), so a change costs the same on 100 or 10,000 hosts.
 * - The fleet (`minke policies check`, a new or changed policy): set-based, two queries per
 *   policy (the hosts in scope, those that comply), then one transaction for every policy.
 *
 * @example
 *   await evaluatePolicies(project, { hostIds: [hostId] }); // after that host's facts changed
 */
export async function evaluatePolicies(
  project: Project,
  options: EvaluationOptions = {},
): Promise<EvaluationOutcome> {
  const store = new PolicyStore(project.database);
  const policies = options.policies ?? (await store.list());
  const now = options.now ?? new Date();
  if (options.hostIds !== undefined)
    return evaluateOnHosts(project, policies, options.hostIds, now);
  return evaluateOnFleet(project, store, policies, now);
}

async function evaluateOnFleet(
  project: Project,
  store: PolicyStore,
  policies: readonly PolicyRow[],
  now: Date,
): Promise<EvaluationOutcome> {
  const outcome: EvaluationOutcome = { policies: policies.length, evaluated: 0, changed: [] };
  const planned: { policyId: number; plan: PlannedChanges }[] = [];
  for (const policy of policies) {
    const standings = await sqlStandings(
      project,
      {
        scope: policy.scope === null ? undefined : parseWhere(policy.scope),
        where: parseWhere(policy.where),
      },
      null,
    );
    const current = await store.results(policy.id, null);
    const changedIds = [...standings.inScope, ...current.keys()].filter(
      (id) =>
        standings.inScope.has(id) !== current.has(id) ||
        current.get(id)?.passing !== standings.passing.has(id),
    );
    const names = await hostNames(project, changedIds);
    const nameOf = (id: number) => names.get(id) ?? `#${id}`;
    const plan = planChanges(policy, standings, current, nameOf, now);
    outcome.evaluated += standings.inScope.size;
    outcome.changed.push(...plan.transitions);
    planned.push({ policyId: policy.id, plan });
  }
  // Every policy's changes in one commit; every host was evaluated, so the check time of all
  // of a policy's rows is one statement.
  await inTransaction(project.database, async (trx) => {
    const writer = new PolicyStore(trx);
    for (const { policyId, plan } of planned)
      await writer.recordEvaluation(policyId, plan.changes, 'all', now);
  });
  return outcome;
}

async function hostNames(project: Project, ids: readonly number[]): Promise<Map<number, string>> {
  const out = new Map<number, string>();
  for (const chunk of chunked(ids)) {
    const rows = await project.database.tables
      .selectFrom('minke_hosts')
      .select(['id', 'name'])
      .where('id', 'in', chunk)
      .execute();
    for (const row of rows) out.set(row.id, row.name);
  }
  return out;
}
