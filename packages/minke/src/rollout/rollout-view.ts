import type { BatchState, RunRollout } from '@minke/contract';
import type { Database } from '../store/database.js';
import { RolloutStore } from './rollout-store.js';

type RolloutReply = NonNullable<RunRollout['rollout']>;

/**
 * A rolling run's batches as the run page shows them: each batch's records, how many are done
 * and failed, and whether it waits, runs, is done or was canceled by the budget. Null for a run
 * without a batch policy.
 */
export async function readRollout(database: Database, runId: number): Promise<RunRollout> {
  const store = new RolloutStore(database);
  const rollout = await store.get(runId);
  if (!rollout) return { rollout: null };
  const counts = await store.counts(runId);
  const times = await batchTimes(database, runId);
  const batches: RolloutReply['batches'] = [];
  let failed = 0;
  for (let number = 1; number <= rollout.batchCount; number++) {
    const count = counts.get(number) ?? { open: 0, done: 0, failed: 0, recordIds: [] };
    failed += count.failed;
    const spent = rollout.state === 'budget-exceeded' && number > rollout.currentBatch;
    const state: BatchState = spent
      ? 'canceled'
      : number > rollout.currentBatch ||
          (number === rollout.currentBatch + 1 && rollout.state === 'pausing')
        ? 'waiting'
        : count.open > 0
          ? 'running'
          : 'done';
    batches.push({
      number,
      state,
      recordIds: count.recordIds,
      done: count.done,
      failed: count.failed,
      startedAt: times.get(number)?.startedAt ?? null,
      finishedAt: state === 'done' ? (times.get(number)?.finishedAt ?? null) : null,
    });
  }
  return {
    rollout: {
      runId,
      policy: rollout.policy,
      state: rollout.state,
      total: rollout.total,
      batchSize: rollout.batchSize,
      allowedFailures: rollout.allowedFailures,
      failed,
      reason: rollout.reason,
      batches,
    },
  };
}

/** The first start and last end of each batch's sessions. */
async function batchTimes(
  database: Database,
  runId: number,
): Promise<Map<number, { startedAt: string | null; finishedAt: string | null }>> {
  const rows = await database.tables
    .selectFrom('minke_rollout_records as rr')
    .innerJoin('minke_session_records as r', 'r.id', 'rr.record_id')
    .select((eb) => [
      'rr.batch',
      eb.fn.min('r.started_at').as('started_at'),
      eb.fn.max('r.finished_at').as('finished_at'),
    ])
    .where('rr.run_id', '=', runId)
    .groupBy('rr.batch')
    .execute();
  return new Map(
    rows.map((row) => [
      row.batch,
      { startedAt: isoOrNull(row.started_at), finishedAt: isoOrNull(row.finished_at) },
    ]),
  );
}

/** Aggregates bypass the column plugin: SQLite gives its text, PostgreSQL a Date. */
function isoOrNull(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value.toISOString();
  if (typeof value !== 'string') return null;
  const text = value;
  return new Date(
    /[zZ]|[+-]\d\d:?\d\d$/.test(text) ? text : `${text.replace(' ', 'T')}Z`,
  ).toISOString();
}
