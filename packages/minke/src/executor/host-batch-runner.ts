import { createHash } from 'node:crypto';
import type { Logger } from '../logger.js';
import { countConnectFailure } from '../metrics/process-counts.js';
import type { RecordRef } from '../runs/run-journal.js';
import { ConnectionPool } from '../transport/connection-pool.js';
import { pooledTransport } from '../transport/create-transport.js';
import type { Transport } from '../transport/transport.js';
import type { SessionRunDeps } from './executor-deps.js';
import type { HostBatch, RunPlan, SessionJob } from './executor.js';
import { runSessionJob, type JobPlan, type StopControls } from './session-runner.js';

/**
 * How taking a host went: `busy` when another run holds it (the batch's sessions are canceled
 * with `text`), `elsewhere` when this very batch runs on another process (nothing to do here).
 */
export type HostTake = { kind: 'taken' } | { kind: 'busy'; text: string } | { kind: 'elsewhere' };

/** How a batch holds its host: a lease taken before its first session, released after its last. */
export interface HostLock {
  take(): Promise<HostTake>;
  /** Never throws: a lease that cannot be released runs out by itself. */
  release(): Promise<void>;
}

export interface BatchWork {
  plan: JobPlan & Pick<RunPlan, 'connection'>;
  batch: HostBatch;
  lock: HostLock;
  /** The stop controls of a session about to run, as the executor tracks them... */
  controls(job: SessionJob): StopControls;
  /** ...and the sign that it is over (run, or canceled because the host was busy). */
  done(job: SessionJob): void;
  /** Asked before each session of a serial batch: true leaves the rest waiting (a worker closing). */
  closing?: () => boolean;
  /** After the host is taken, before the first session (a worker ends what a lost one left). */
  beforeJobs?: () => Promise<void>;
}

/** `left-over`: the batch stopped early (`closing`) with sessions that have not started. */
export type BatchOutcome = 'done' | 'left-over' | 'busy' | 'elsewhere';

/**
 * The one per-host batch loop of both executors: lease the host, open (or reuse) a pooled
 * connection on first use, run the batch's sessions in order, or all at once when the session
 * allows parallel runs, and release the host. A host held by another run cancels the batch's
 * sessions with the reason.
 */
export class HostBatchRunner {
  private readonly pool = new ConnectionPool({ idleTimeoutMs: 30_000 });

  /**
   * `keepConnections: false` closes a host's connection when its batch is done, for a process
   * that runs one run and exits (`minke run`): no later run would reuse it, and closing each as
   * its host finishes spreads the closes over the run instead of adding them all at its end.
   */
  constructor(
    private readonly deps: SessionRunDeps & { logger: Logger },
    private readonly options: { keepConnections?: boolean } = {},
  ) {}

  async run(work: BatchWork): Promise<BatchOutcome> {
    const take = await work.lock.take();
    if (take.kind === 'elsewhere') return 'elsewhere';
    if (take.kind === 'busy') {
      await this.cancelAll(work, take.text);
      return 'busy';
    }
    try {
      await work.beforeJobs?.();
      return await this.runJobs(work);
    } finally {
      await work.lock.release();
    }
  }

  /** Closes the pooled connections (the executor is closing). */
  async close(): Promise<void> {
    await this.pool.closeAll();
  }

  private async runJobs(work: BatchWork): Promise<BatchOutcome> {
    // The batch's one pooled connection, once a session has asked for it.
    const pooled: { key?: string } = {};
    try {
      return await this.runJobsOn(work, pooled);
    } finally {
      if (this.options.keepConnections === false && pooled.key !== undefined)
        await this.pool.closeIdle(pooled.key);
    }
  }

  private async runJobsOn(work: BatchWork, pooled: { key?: string }): Promise<BatchOutcome> {
    const { plan, batch } = work;
    let transport: Promise<Transport> | undefined;
    const connect = () => (transport ??= this.transportFor(plan, batch, pooled));
    const runJob = async (job: SessionJob) => {
      try {
        await runSessionJob(this.deps, plan, batch.hostName, job, connect, work.controls(job));
      } catch (error) {
        this.deps.logger.error(
          { err: error, recordId: job.recordId },
          'session record could not be finished',
        );
      } finally {
        work.done(job);
      }
    };
    if (plan.session.parallelPerHost) {
      await Promise.all(batch.jobs.map(runJob));
      return 'done';
    }
    for (const job of batch.jobs) {
      if (work.closing?.()) return 'left-over';
      await runJob(job);
    }
    return 'done';
  }

  private async cancelAll(work: BatchWork, text: string): Promise<void> {
    for (const job of work.batch.jobs) {
      await this.deps.journal.cancelWaiting(refOf(work, job), text);
      work.done(job);
    }
  }

  private async transportFor(
    plan: BatchWork['plan'],
    batch: HostBatch,
    pooled: { key?: string },
  ): Promise<Transport> {
    const config = await this.deps.connections(
      batch.hostName,
      plan.session.cls.connection,
      plan.connection,
    );
    // Sessions whose settings give the same connection share it; others get their own.
    const digest = createHash('sha256').update(JSON.stringify(config)).digest('hex').slice(0, 16);
    const key = `${batch.hostId}:${digest}`;
    pooled.key = key;
    return pooledTransport(this.pool, key, config, {
      logger: this.deps.logger,
      onConnectFailure: countConnectFailure,
    });
  }
}

function refOf(work: BatchWork, job: SessionJob): RecordRef {
  return {
    runId: work.plan.runId,
    recordId: job.recordId,
    objectId: job.objectId,
    objectLabel: job.objectLabel,
    hostName: work.batch.hostName,
  };
}
