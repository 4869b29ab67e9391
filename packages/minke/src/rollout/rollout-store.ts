import type { BatchPolicy, RolloutState } from '@minke/contract';
import type { Database } from '../store/database.js';
import type { RolloutShape } from './batch-sizes.js';

/** A rolling run's state as stored. */
export interface RolloutRow {
  runId: number;
  policy: BatchPolicy;
  total: number;
  batchSize: number;
  batchCount: number;
  allowedFailures: number | null;
  /** The batch opened last (1-based). */
  currentBatch: number;
  state: RolloutState;
  reason: string | null;
  nextBatchAt: string | null;
}

/** How a batch's sessions stand. */
export interface BatchCounts {
  /** Waiting, running or stopping. */
  open: number;
  done: number;
  failed: number;
}

/** A session record that has not started, as the journal needs it to cancel it. */
export interface HeldRecord {
  runId: number;
  recordId: number;
  objectId: number;
  objectLabel: string;
  hostName: string | null;
}

const OPEN_STATES = ['initialized', 'running', 'stopping'] as const;

/**
 * The one writer of `minke_rollouts` and `minke_rollout_records`. Moves between batches are
 * conditional updates on the batch a process saw, so of several servers that see a batch end,
 * exactly one opens the next (or spends the budget).
 */
export class RolloutStore {
  constructor(private readonly database: Database) {}

  private get tables() {
    return this.database.tables;
  }

  /** Stores a rollout with batch 1 open and each record's batch. */
  async create(
    runId: number,
    policy: BatchPolicy,
    shape: RolloutShape,
    total: number,
    batches: readonly (readonly number[])[],
  ): Promise<void> {
    await this.database.tables.transaction().execute(async (trx) => {
      await trx
        .insertInto('minke_rollouts')
        .values({
          run_id: runId,
          policy,
          total,
          batch_size: shape.batchSize,
          batch_count: shape.batchCount,
          allowed_failures: shape.allowedFailures,
          current_batch: 1,
          state: 'running',
          reason: null,
          next_batch_at: null,
        })
        .execute();
      const rows = batches.flatMap((ids, index) =>
        ids.map((recordId) => ({ record_id: recordId, run_id: runId, batch: index + 1 })),
      );
      for (let i = 0; i < rows.length; i += 500)
        await trx
          .insertInto('minke_rollout_records')
          .values(rows.slice(i, i + 500))
          .execute();
    });
  }

  async get(runId: number): Promise<RolloutRow | undefined> {
    const row = await this.tables
      .selectFrom('minke_rollouts')
      .selectAll()
      .where('run_id', '=', runId)
      .executeTakeFirst();
    if (!row) return undefined;
    return {
      runId: row.run_id,
      policy: row.policy as BatchPolicy,
      total: row.total,
      batchSize: row.batch_size,
      batchCount: row.batch_count,
      allowedFailures: row.allowed_failures,
      currentBatch: row.current_batch,
      state: row.state as RolloutState,
      reason: row.reason,
      nextBatchAt: row.next_batch_at,
    };
  }

  /**
   * Rollouts that may need a step: running or pausing ones, and budget-spent ones whose run is
   * not finished (a process that spent the budget died while canceling).
   */
  async unsettled(limit = 200): Promise<number[]> {
    const rows = await this.tables
      .selectFrom('minke_rollouts as ro')
      .innerJoin('minke_runs as run', 'run.id', 'ro.run_id')
      .select('ro.run_id')
      .where((eb) =>
        eb.or([
          eb('ro.state', 'in', ['running', 'pausing']),
          eb.and([eb('ro.state', '=', 'budget-exceeded'), eb('run.state', '!=', 'finished')]),
        ]),
      )
      .orderBy('ro.run_id')
      .limit(limit)
      .execute();
    return rows.map((row) => row.run_id);
  }

  /** Whether the run itself is finished (ended by its executor, a stop, or the reaper). */
  async runFinished(runId: number): Promise<boolean> {
    const row = await this.tables
      .selectFrom('minke_runs')
      .select('state')
      .where('id', '=', runId)
      .executeTakeFirst();
    return row === undefined || row.state === 'finished';
  }

  /** Record ids of one batch, in run order. */
  async recordsOf(runId: number, batch: number): Promise<number[]> {
    const rows = await this.tables
      .selectFrom('minke_rollout_records')
      .select('record_id')
      .where('run_id', '=', runId)
      .where('batch', '=', batch)
      .orderBy('record_id')
      .execute();
    return rows.map((row) => row.record_id);
  }

  /** Each batch's counts (open, done, failed), by batch number. */
  async counts(runId: number): Promise<Map<number, BatchCounts & { recordIds: number[] }>> {
    const rows = await this.tables
      .selectFrom('minke_rollout_records as rr')
      .innerJoin('minke_session_records as r', 'r.id', 'rr.record_id')
      .select(['rr.batch', 'rr.record_id', 'r.process_state', 'r.result'])
      .where('rr.run_id', '=', runId)
      .orderBy('rr.record_id')
      .execute();
    const out = new Map<number, BatchCounts & { recordIds: number[] }>();
    for (const row of rows) {
      const counts = out.get(row.batch) ?? { open: 0, done: 0, failed: 0, recordIds: [] };
      counts.recordIds.push(row.record_id);
      if ((OPEN_STATES as readonly string[]).includes(row.process_state)) counts.open++;
      else counts.done++;
      if (isFailure(row.process_state, row.result)) counts.failed++;
      out.set(row.batch, counts);
    }
    return out;
  }

  /** Records of batches after `batch` that have not started. */
  async heldAfter(runId: number, batch: number): Promise<HeldRecord[]> {
    const rows = await this.tables
      .selectFrom('minke_rollout_records as rr')
      .innerJoin('minke_session_records as r', 'r.id', 'rr.record_id')
      .select(['r.id', 'r.object_id', 'r.object_label', 'r.host_name'])
      .where('rr.run_id', '=', runId)
      .where('rr.batch', '>', batch)
      .where('r.process_state', '=', 'initialized')
      .orderBy('r.id')
      .execute();
    return rows.map((row) => ({
      runId,
      recordId: row.id,
      objectId: row.object_id,
      objectLabel: row.object_label,
      hostName: row.host_name,
    }));
  }

  /** Opens batch `from + 1` if batch `from` is still the current one; true for the one winner. */
  async openNext(runId: number, from: number): Promise<boolean> {
    return this.move(runId, from, ['running', 'pausing'], {
      current_batch: from + 1,
      state: 'running',
      next_batch_at: null,
    });
  }

  /** Batch `from` is done: wait until `until` before the next. */
  async pause(runId: number, from: number, until: Date): Promise<boolean> {
    return this.move(runId, from, ['running'], { state: 'pausing', next_batch_at: until });
  }

  /** The last batch is done: nothing more to open. */
  async finish(runId: number, from: number): Promise<boolean> {
    return this.move(runId, from, ['running', 'pausing'], { state: 'finished' });
  }

  /** The budget is spent after batch `from`: no new batch, with the reason. */
  async spendBudget(runId: number, from: number, reason: string): Promise<boolean> {
    return this.move(runId, from, ['running', 'pausing'], { state: 'budget-exceeded', reason });
  }

  private async move(
    runId: number,
    from: number,
    states: RolloutState[],
    set: {
      current_batch?: number;
      state: RolloutState;
      next_batch_at?: Date | null;
      reason?: string;
    },
  ): Promise<boolean> {
    const result = await this.tables
      .updateTable('minke_rollouts')
      .set({ ...set, updated_at: new Date() })
      .where('run_id', '=', runId)
      .where('current_batch', '=', from)
      .where('state', 'in', states)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }
}

/** A failure for the budget: a session that ended in error or failed (not a stop, not a cancel). */
export function isFailure(processState: string, result: string | null): boolean {
  return processState === 'failed' || (processState === 'completed' && result === 'error');
}
