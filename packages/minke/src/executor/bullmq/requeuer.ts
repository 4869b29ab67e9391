import type { Logger } from '../../logger.js';
import type { Database } from '../../store/database.js';
import type { RunWideLimit, SessionJob } from '../executor.js';
import { batchJobOptions, type BatchJobData } from './batch-job.js';
import type { BatchQueue } from './queue-backend.js';

export interface RequeuerOptions {
  database: Database;
  queue: BatchQueue;
  logger: Logger;
  /** How often to compare the database with the queue. */
  intervalMs?: number;
  /** Sessions younger than this are left to the server that is queueing them right now. */
  minAgeMs?: number;
}

/**
 * The database is the truth about what waits; the queue only dispatches it. Every so often the
 * waiting session records are added to the queue again, batch by batch, under their batch's job
 * id: a batch still queued or running is left as it is (same id), and one the queue lost (Redis
 * restarted without its data, a job given up after its retries) is queued again. Secret form
 * values and a run-time connection layer are kept nowhere but in the job: a batch queued again
 * for a run that had them is marked, and the worker ends its sessions with the reason.
 */
export class Requeuer {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;
  private readonly stopping = new AbortController();

  constructor(private readonly options: RequeuerOptions) {}

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.kick(), this.options.intervalMs ?? 15_000);
    this.timer.unref();
  }

  /** Runs a pass now unless one is under way (e.g. when the queue's connection is back). */
  kick(): void {
    if (this.running) return;
    this.running = this.requeue()
      .catch((error: unknown) =>
        this.options.logger.warn({ err: error }, 'requeue: could not compare database and queue'),
      )
      .finally(() => (this.running = undefined));
  }

  async stop(): Promise<void> {
    this.stopping.abort();
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /** One pass: returns how many batches it handed to the queue (most are no-ops). */
  async requeue(): Promise<number> {
    const { database } = this.options;
    const cutoff = new Date(Date.now() - (this.options.minAgeMs ?? 10_000)).toISOString();
    const rows = await database.tables
      .selectFrom('minke_session_records as r')
      .innerJoin('minke_runs as run', 'run.id', 'r.run_id')
      .select([
        'r.id',
        'r.run_id',
        'r.host_id',
        'r.host_name',
        'r.object_id',
        'r.object_label',
        'run.session',
        'run.model',
        'run.data',
        'run.has_secret_values',
        'run.timeout_ms',
        'run.run_timeout_ms',
        'run.created_at',
      ])
      .where('r.process_state', '=', 'initialized')
      .where('r.host_id', 'is not', null)
      .where('r.created_at', '<', cutoff)
      // Records of a rolling run's batches not yet opened wait for their turn (src/rollout/).
      .where((eb) =>
        eb.not(
          eb.exists(
            eb
              .selectFrom('minke_rollout_records as rr')
              .innerJoin('minke_rollouts as ro', 'ro.run_id', 'rr.run_id')
              .select('rr.record_id')
              .whereRef('rr.record_id', '=', 'r.id')
              .whereRef('rr.batch', '>', 'ro.current_batch'),
          ),
        ),
      )
      .orderBy('r.run_id')
      .orderBy('r.host_id')
      .orderBy('r.id')
      .limit(10_000)
      .execute();
    const batches = new Map<string, BatchJobData>();
    for (const row of rows) {
      const runId = Number(row.run_id);
      const hostId = Number(row.host_id);
      const key = `${runId}:${hostId}`;
      let batch = batches.get(key);
      if (!batch) {
        batch = {
          runId,
          session: row.session,
          model: row.model,
          data: row.data,
          ...(row.has_secret_values ? { secretValuesLost: true as const } : {}),
          ...(row.timeout_ms === null ? {} : { timeoutMs: Number(row.timeout_ms) }),
          ...(row.run_timeout_ms === null
            ? {}
            : { runLimit: runLimitOf(Number(row.run_timeout_ms), row.created_at) }),
          hostId,
          hostName: String(row.host_name),
          jobs: [],
        };
        batches.set(key, batch);
      }
      const job: SessionJob = {
        recordId: Number(row.id),
        objectId: Number(row.object_id),
        objectLabel: row.object_label,
      };
      batch.jobs.push(job);
    }
    if (batches.size === 0) return 0;
    // A queue that does not answer would hold the pass (and `stop`) forever: try again later.
    await this.options.queue.whenAvailable(5000, this.stopping.signal);
    if (this.stopping.signal.aborted) return 0;
    await this.options.queue.addBulk(
      [...batches.values()].map((data) => ({
        name: 'batch',
        data,
        opts: batchJobOptions(data.runId, data.hostId),
      })),
    );
    return batches.size;
  }
}

/** A run's whole limit as its plan carries it: it ends that long after the run was created. */
function runLimitOf(ms: number, createdAt: string): RunWideLimit {
  return { ms, endsAt: Date.parse(createdAt) + ms };
}
