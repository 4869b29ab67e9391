import type { BatchPolicy, CountOrPercent } from '@minke/contract';

/** What a batch policy means for a run of `total` objects. */
export interface RolloutShape {
  /** Objects per batch (at least 1). */
  batchSize: number;
  batchCount: number;
  /** Failures allowed before no new batch starts; null: no budget. */
  allowedFailures: number | null;
}

/** A count as given, or a share of `total`: rounded up for a batch (never 0), down for a budget. */
function amountOf(value: CountOrPercent, total: number, round: (n: number) => number): number {
  if (typeof value === 'number') return value;
  return round((Number.parseFloat(value) / 100) * total);
}

/**
 * Batch size and failure budget for `total` objects, as Ansible reads `serial` and
 * `max_fail_percentage`: 25% of 20 is batches of 5; a budget of 10% of 20 allows 2 failures, and
 * the third stops the rollout.
 *
 * @example rolloutShape({ size: '25%', maxFail: '10%' }, 20) // { batchSize: 5, batchCount: 4, allowedFailures: 2 }
 */
export function rolloutShape(policy: BatchPolicy, total: number): RolloutShape {
  const batchSize = Math.max(1, Math.min(total, amountOf(policy.size, total, Math.ceil)) || 1);
  const batchCount = total === 0 ? 0 : Math.ceil(total / batchSize);
  const allowedFailures =
    policy.maxFail === undefined ? null : amountOf(policy.maxFail, total, Math.floor);
  return { batchSize, batchCount, allowedFailures };
}

/** Splits items (in run order) into consecutive batches of `size`; numbered from 1. */
export function splitIntoBatches<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let start = 0; start < items.length; start += size)
    out.push(items.slice(start, start + size));
  return out;
}

/** Whether `failed` failures spend the budget: more than allowed (none allowed: the first). */
export function budgetExceeded(failed: number, allowedFailures: number | null): boolean {
  return allowedFailures !== null && failed > allowedFailures;
}

/** The reason the objects never started are canceled with. */
export function budgetReason(
  started: number,
  total: number,
  failed: number,
  allowed: number,
): string {
  return `failure budget exceeded after ${started} of ${total}: ${failed} failed, ${allowed} allowed`;
}
