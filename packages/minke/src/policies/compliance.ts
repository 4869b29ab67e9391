import type { CompliancePoint } from '@minke/contract';
import type { PolicyHistoryRow } from './policy-store.js';

/**
 * The passing and failing counts at each moment, from history rows sorted oldest first: a host
 * counts as its last state at or before the moment (`gone`: not at all). One sweep.
 *
 * @example
 *   complianceAt(rows, [lastMonday]) // [{ at, passing: 18, failing: 2 }]
 */
export function complianceAt(
  rows: readonly PolicyHistoryRow[],
  moments: readonly Date[],
): CompliancePoint[] {
  const state = new Map<string, 'pass' | 'fail'>();
  let passing = 0;
  let failing = 0;
  let next = 0;
  const points: CompliancePoint[] = [];
  for (const moment of [...moments].sort((a, b) => a.getTime() - b.getTime())) {
    while (
      next < rows.length &&
      Date.parse((rows[next] as PolicyHistoryRow).changedAt) <= moment.getTime()
    ) {
      const row = rows[next] as PolicyHistoryRow;
      next++;
      const key = row.hostId === null ? `name:${row.hostName}` : `id:${row.hostId}`;
      const before = state.get(key);
      if (before === 'pass') passing--;
      if (before === 'fail') failing--;
      if (row.state === 'gone') state.delete(key);
      else {
        state.set(key, row.state);
        if (row.state === 'pass') passing++;
        else failing++;
      }
    }
    points.push({ at: moment.toISOString(), passing, failing });
  }
  return points;
}
