import type { JobTick } from '@minke/contract';
import type { DatabaseHandle } from '../store/transaction.js';

export type TickOutcome = JobTick['outcome'];

/**
 * The one writer of `minke_job_ticks`: what each schedule tick did (a run launched, or why not),
 * for the job's page and `minke jobs show`.
 */
export class JobTickStore {
  constructor(private readonly database: DatabaseHandle) {}

  async note(tick: {
    jobId: number;
    tickAt: Date;
    outcome: TickOutcome;
    runId?: number | null;
    note: string;
  }): Promise<void> {
    await this.database.tables
      .insertInto('minke_job_ticks')
      .values({
        job_id: tick.jobId,
        tick_at: tick.tickAt,
        outcome: tick.outcome,
        run_id: tick.runId ?? null,
        note: tick.note,
      })
      .execute();
  }

  /**
   * The oldest tick of a job still queued (noted `queued`, and nothing since), among those from
   * `since` on: queued ticks launch one at a time in their order, whichever server holds them.
   */
  async oldestQueued(jobId: number, since: Date): Promise<number | undefined> {
    const row = await this.database.tables
      .selectFrom('minke_job_ticks as q')
      .select('q.tick_at')
      .where('q.job_id', '=', jobId)
      .where('q.outcome', '=', 'queued')
      .where('q.tick_at', '>=', since.toISOString())
      .where((eb) =>
        eb.not(
          eb.exists(
            eb
              .selectFrom('minke_job_ticks as d')
              .select('d.id')
              .whereRef('d.job_id', '=', 'q.job_id')
              .whereRef('d.tick_at', '=', 'q.tick_at')
              .where('d.outcome', '!=', 'queued'),
          ),
        ),
      )
      .orderBy('q.tick_at')
      .limit(1)
      .executeTakeFirst();
    return row ? new Date(row.tick_at).getTime() : undefined;
  }

  /** The newest ticks of a job first. */
  async list(jobId: number, limit = 20): Promise<JobTick[]> {
    const rows = await this.database.tables
      .selectFrom('minke_job_ticks')
      .selectAll()
      .where('job_id', '=', jobId)
      .orderBy('id', 'desc')
      .limit(limit)
      .execute();
    return rows.map((row) => ({
      id: Number(row.id),
      jobId: Number(row.job_id),
      tickAt: row.tick_at,
      outcome: row.outcome as TickOutcome,
      runId: row.run_id === null ? null : Number(row.run_id),
      note: row.note,
      createdAt: row.created_at,
    }));
  }
}
