import { RolloutCoordinator } from '../../rollout/rollout-coordinator.js';
import { RunJournal } from '../../runs/run-journal.js';
import type { ExecutorDeps } from '../executor-deps.js';
import type { Executor, RunPlan, StopOutcome } from '../executor.js';
import { batchJobs, SESSION_QUEUE } from './batch-job.js';
import { sealRunValues, splitRunValues } from './sealed-run-values.js';
import { openBatchQueue, type BatchQueue, type QueueBackend } from './queue-backend.js';

export interface BullmqExecutorOptions extends Pick<
  ExecutorDeps,
  'database' | 'runs' | 'bus' | 'logger' | 'secretKey'
> {
  backend: QueueBackend;
  queueName?: string;
  /** How long a run waits for an unreachable queue before it is canceled (default 5 s). */
  queueWaitMs?: number;
  /** How often rolling runs are checked in the database (default 1 s). */
  rolloutPassMs?: number;
}

/**
 * The executor of a server: it queues a run's batches (one job per host) for workers on any
 * machine, and stops sessions through the database, which every worker watches. A run the queue
 * does not accept within a few seconds (Redis unreachable) is canceled with the reason, so that
 * nothing waits `initialized` behind a dead queue; a run this process could not hand over before
 * it closed stays waiting in the database, where the requeuer finds it.
 */
export class BullmqExecutor implements Executor {
  /** A plan's run-time connection (and secret form values) travel sealed with the project's key. */
  readonly takesRunTimeConnection = true;
  readonly queue: BatchQueue;
  private readonly submitted = new Set<number>();
  private readonly adding = new Set<Promise<void>>();
  /** Aborted by `close`: runs still waiting for the queue are left to the requeuer. */
  private readonly closing = new AbortController();
  private readonly journal: RunJournal;
  /** Rolling runs: batch by batch, each queued by `submitNow`; any server moves them on. */
  private readonly rollouts: RolloutCoordinator<RunPlan>;

  constructor(private readonly options: BullmqExecutorOptions) {
    this.journal = new RunJournal(options.runs, options.bus);
    this.rollouts = new RolloutCoordinator<RunPlan>({
      ...options,
      submit: (plan) => this.submitNow(plan),
      adoptsOrphans: true,
      ...(options.rolloutPassMs === undefined ? {} : { passIntervalMs: options.rolloutPassMs }),
    });
    this.queue = openBatchQueue(options.backend, options.queueName ?? SESSION_QUEUE, (error) =>
      options.logger.warn({ err: error }, 'queue connection error'),
    );
  }

  submit(plan: RunPlan): void {
    if (plan.rollout) {
      this.submitted.add(plan.runId);
      this.rollouts.start({ ...plan, rollout: plan.rollout });
    } else this.submitNow(plan);
  }

  private submitNow(plan: RunPlan): void {
    const { logger } = this.options;
    this.submitted.add(plan.runId);
    const work =
      plan.batches.length === 0
        ? this.journal.runFinishedIfDone(plan.runId).then(() => undefined)
        : this.queueOrCancel(plan);
    const tracked = work.catch((error: unknown) =>
      logger.error(
        { err: error, runId: plan.runId },
        'could not queue the run: its sessions wait in the database until the queue is back',
      ),
    );
    this.adding.add(tracked);
    void tracked.finally(() => this.adding.delete(tracked));
  }

  private async queueOrCancel(plan: RunPlan): Promise<void> {
    try {
      await this.queue.whenAvailable(this.options.queueWaitMs ?? 5000, this.closing.signal);
    } catch (error) {
      await this.cancelRun(plan, `queue unavailable: ${(error as Error).message}`);
      return;
    }
    if (this.closing.signal.aborted) return; // the requeuer of another process will queue it
    let jobs;
    try {
      jobs = await this.jobsOf(plan);
    } catch (error) {
      await this.cancelRun(plan, `run-time values not encrypted: ${(error as Error).message}`);
      return;
    }
    await this.queue.addBulk(jobs);
  }

  /** The plan's jobs, its secret values encrypted (the key created on first use, as credentials). */
  private async jobsOf(plan: RunPlan): Promise<ReturnType<typeof batchJobs>> {
    const { data, values } = splitRunValues(plan);
    if (values === undefined) return batchJobs(plan, data, undefined);
    const source = this.options.secretKey();
    return batchJobs(plan, data, await sealRunValues(source, plan.runId, values));
  }

  /** Ends every waiting session of a run canceled + error with `reason`, and the run with them. */
  private async cancelRun(plan: RunPlan, reason: string): Promise<void> {
    this.options.logger.error(
      { runId: plan.runId, reason },
      'run canceled: the queue is unavailable',
    );
    for (const { hostName, jobs } of plan.batches) {
      for (const { recordId, objectId, objectLabel } of jobs) {
        const ref = { runId: plan.runId, recordId, objectId, objectLabel, hostName };
        await this.journal.cancelWaiting(ref, reason);
      }
    }
    await this.journal.runFinishedIfDone(plan.runId);
  }

  /** A waiting session is canceled here; a running one by its worker, which reads the stop
   * counter within its poll interval. */
  async stop(recordId: number): Promise<StopOutcome> {
    const outcome = await this.journal.stopRequested(recordId);
    if (outcome === 'canceled') {
      const identity = await this.options.runs.identity(recordId);
      if (identity) await this.journal.runFinishedIfDone(identity.runId);
    }
    return outcome;
  }

  /** Resolves when every run submitted here has finished (bounded: 24 h). */
  async idle(): Promise<void> {
    await Promise.allSettled([...this.adding]);
    const deadline = Date.now() + 24 * 3600_000;
    while (this.submitted.size > 0 && Date.now() < deadline) {
      const rows = await this.options.database.tables
        .selectFrom('minke_runs')
        .select('id')
        .where('id', 'in', [...this.submitted])
        .where('state', '=', 'finished')
        .execute();
      for (const row of rows) this.submitted.delete(Number(row.id));
      if (this.submitted.size > 0) await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  async close(): Promise<void> {
    await this.rollouts.close();
    this.closing.abort();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.allSettled([...this.adding]),
      new Promise((resolve) => (timer = setTimeout(resolve, 5000))),
    ]);
    clearTimeout(timer);
    await this.queue.close();
  }
}
