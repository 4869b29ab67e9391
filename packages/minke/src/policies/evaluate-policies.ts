import type { PolicyTransition } from '@minke/contract';
import { HOST_MODEL } from '../model/host-model.js';
import type { Project } from '../operations/project.js';
import { andFilters, type Filter } from '../query/filter.js';
import { parseWhere } from '../query/parse-where.js';
import { inTransaction } from '../store/transaction.js';
import { PolicyStore, type PolicyChange, type PolicyRow } from './policy-store.js';

export interface EvaluationOptions {
  /** Only these hosts (their facts changed); every host when absent. */
  hostIds?: readonly number[] | undefined;
  /** Only these policies; every policy when absent. */
  policies?: readonly PolicyRow[] | undefined;
  /** The time recorded for changes (tests pass one; else now). */
  now?: Date | undefined;
}

export interface EvaluationOutcome {
  policies: number;
  /** Host × policy pairs evaluated. */
  evaluated: number;
  /** Hosts that started passing or failing (leaving the scope is not listed). */
  changed: PolicyTransition[];
}

const CHUNK = 500;

/** What one policy's evaluation will write, once every policy has been read. */
interface PlannedWrite {
  policyId: number;
  changes: PolicyChange[];
  unchanged: number[];
}

/**
 * Evaluates policies on hosts and records what changed. Per policy, two queries per 500 hosts
 * (the hosts in scope, and those in scope that comply), both compiled by the filter language,
 * then one transaction with the changes; hosts that did not change only get their check time.
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
  const outcome: EvaluationOutcome = { policies: policies.length, evaluated: 0, changed: [] };
  const planned: PlannedWrite[] = [];
  for (const policy of policies) {
    const one = await evaluatePolicy(project, store, policy, options.hostIds ?? null, now);
    outcome.evaluated += one.evaluated;
    outcome.changed.push(...one.changed);
    planned.push(one.write);
  }
  // Every policy's changes in one commit: a fact change costs one transaction, not one per policy.
  await inTransaction(project.database, async (trx) => {
    const writer = new PolicyStore(trx);
    for (const write of planned)
      await writer.recordEvaluation(write.policyId, write.changes, write.unchanged, now);
  });
  return outcome;
}

async function evaluatePolicy(
  project: Project,
  store: PolicyStore,
  policy: PolicyRow,
  hostIds: readonly number[] | null,
  now: Date,
): Promise<{ evaluated: number; changed: PolicyTransition[]; write: PlannedWrite }> {
  const scope = policy.scope === null ? undefined : parseWhere(policy.scope);
  const compliant = parseWhere(policy.where);
  const inScope = new Set<number>();
  const passing = new Set<number>();
  const chunks: (Filter | undefined)[] =
    hostIds === null
      ? [undefined]
      : chunked(hostIds).map((chunk): Filter => ({ path: ['id'], op: 'in', values: chunk }));
  for (const only of chunks) {
    for (const id of await project.records.ids(HOST_MODEL, { filter: andFilters(only, scope) }))
      inScope.add(id);
    const filter = andFilters(only, scope, compliant);
    for (const id of await project.records.ids(HOST_MODEL, { filter })) passing.add(id);
  }
  const current = await store.results(policy.id, hostIds);
  const changes: { hostId: number; passing: boolean | null }[] = [];
  const unchanged: number[] = [];
  for (const hostId of inScope) {
    const passes = passing.has(hostId);
    if (current.get(hostId)?.passing === passes) unchanged.push(hostId);
    else changes.push({ hostId, passing: passes });
  }
  for (const hostId of current.keys())
    if (!inScope.has(hostId)) changes.push({ hostId, passing: null });
  const names = await hostNames(
    project,
    changes.map((c) => c.hostId),
  );
  const named: PolicyChange[] = changes.map((c) => ({
    ...c,
    hostName: names.get(c.hostId) ?? `#${c.hostId}`,
  }));
  return {
    write: { policyId: policy.id, changes: named, unchanged },
    evaluated: inScope.size,
    changed: named.flatMap((c) =>
      c.passing === null
        ? []
        : [{ policy: policy.name, host: c.hostName, passing: c.passing, at: now.toISOString() }],
    ),
  };
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

function chunked<T>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += CHUNK) out.push(items.slice(i, i + CHUNK));
  return out;
}
