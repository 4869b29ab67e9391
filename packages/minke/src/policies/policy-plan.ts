import type { PolicyTransition } from '@minke/contract';
import { HOST_MODEL } from '../model/host-model.js';
import type { Project } from '../operations/project.js';
import { andFilters, type Filter } from '../query/filter.js';
import type { PolicyChange, PolicyResult, PolicyRow } from './policy-store.js';

export interface EvaluationOutcome {
  policies: number;
  /** Host × policy pairs evaluated. */
  evaluated: number;
  /** Hosts that started passing or failing (leaving the scope is not listed). */
  changed: PolicyTransition[];
}

/** Which of the evaluated hosts are in a policy's scope, and which of those comply. */
export interface Standings {
  inScope: Set<number>;
  passing: Set<number>;
}

/** What one policy's evaluation will write. */
export interface PlannedChanges {
  changes: PolicyChange[];
  unchanged: number[];
  transitions: PolicyTransition[];
}

const CHUNK = 500;

/**
 * A policy's standings from the database: per 500 hosts (or once for the fleet, `null`), one
 * query for the hosts in scope and one for those that comply, both compiled by the filter
 * language.
 */
export async function sqlStandings(
  project: Project,
  policy: { scope: Filter | undefined; where: Filter },
  hostIds: readonly number[] | null,
): Promise<Standings> {
  const inScope = new Set<number>();
  const passing = new Set<number>();
  const chunks: (Filter | undefined)[] =
    hostIds === null
      ? [undefined]
      : chunked(hostIds).map((chunk): Filter => ({ path: ['id'], op: 'in', values: chunk }));
  for (const only of chunks) {
    const scoped = andFilters(only, policy.scope);
    for (const id of await project.records.ids(HOST_MODEL, { filter: scoped })) inScope.add(id);
    const filter = andFilters(only, policy.scope, policy.where);
    for (const id of await project.records.ids(HOST_MODEL, { filter })) passing.add(id);
  }
  return { inScope, passing };
}

/**
 * Compares standings with the stored ones: hosts whose pass/fail changed (a history row each),
 * hosts that left the scope (`passing: null`), and hosts that only get their check time.
 */
export function planChanges(
  policy: PolicyRow,
  standings: Standings,
  current: ReadonlyMap<number, PolicyResult>,
  nameOf: (hostId: number) => string,
  now: Date,
): PlannedChanges {
  const changes: PolicyChange[] = [];
  const unchanged: number[] = [];
  for (const hostId of standings.inScope) {
    const passes = standings.passing.has(hostId);
    if (current.get(hostId)?.passing === passes) unchanged.push(hostId);
    else changes.push({ hostId, hostName: nameOf(hostId), passing: passes });
  }
  for (const hostId of current.keys())
    if (!standings.inScope.has(hostId))
      changes.push({ hostId, hostName: nameOf(hostId), passing: null });
  const at = now.toISOString();
  const transitions = changes.flatMap((c) =>
    c.passing === null ? [] : [{ policy: policy.name, host: c.hostName, passing: c.passing, at }],
  );
  return { changes, unchanged, transitions };
}

export function chunked<T>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += CHUNK) out.push(items.slice(i, i + CHUNK));
  return out;
}
