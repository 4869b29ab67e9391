import type { ProcessState } from '@minke/contract';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { WaitingError } from 'bullmq';
import { RunJournal } from '../../runs/run-journal.js';
import type { RunStore } from '../../runs/run-store.js';
import { preformattedMessage } from '../../session/messages.js';
import type { SessionJob } from '../executor.js';
import { sessionRunDepsOf, type ExecutorDeps } from '../executor-deps.js';
import { HostBatchRunner, type HostLock, type HostTake } from '../host-batch-runner.js';
import { hostBusyText, HostLeases } from '../host-lease.js';
import { endLostSessions, lostColumns, type LeaseReaper } from '../reaper.js';
import type { StopControls } from '../session-runner.js';
import { batchJobId, SESSION_QUEUE, type BatchJobData } from './batch-job.js';
import { defaultRetryPolicy, withDatabaseRetry } from './database-retry.js';
import { openRunValues, type RunValues } from './sealed-run-values.js';
import { HostHolds } from './host-holds.js';
import {
  openBatchWorker,
  type BatchJob,
  type BatchWorker,
  type QueueBackend,
} from './queue-backend.js';
import { StopWatch } from './stop-watch.js';

export interface SessionWorkerOptions extends ExecutorDeps {
  backend: QueueBackend;
  queueName?: string;
  /** Hosts worked on at once (BullMQ's concurrency: one batch is one host). */
  concurrency: number;
  /** How long a host lease lasts without renewal; a lost worker's sessions end after it. */
  leaseTtlMs?: number;
  /** How often running sessions are checked for stop requests made on other processes. */
  stopPollMs?: number;
  /** Who holds leases: unique per worker. */
  owner?: string;
  /** Used to end a lost worker's sessions when its batch comes back here. */
  reaper?: LeaseReaper;
}

interface Active {
  controls: StopControls;
  hostId: number;
  runId: number;
}

/**
 * Runs queued session batches: takes a batch, holds its host by a lease in the database (renewed
 * while it works), runs the sessions of that host in order (together when the session allows
 * parallel runs), watches the database for stop requests made on any server, and finishes the
 * run after its last session. A batch that comes back from a lost worker waits for that worker's
 * lease to run out, ends the session it was running as lost, and goes on with the rest.
 */
export class SessionWorker {
  readonly owner: string;
  private readonly worker: BatchWorker;
  private readonly batchRunner: HostBatchRunner;
  private readonly journal: RunJournal;
  private readonly leases: HostLeases;
  private readonly holds: HostHolds;
  private readonly active = new Map<number, Active>();
  private readonly batches = new Set<string>();
  private readonly stopWatch: StopWatch;
  private readonly runs: RunStore;
  private readonly leaseTtlMs: number;
  private closing = false;

  constructor(private readonly options: SessionWorkerOptions) {
    const { database, logger } = options;
    this.owner = options.owner ?? `worker-${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`;
    this.leaseTtlMs = options.leaseTtlMs ?? 60_000;
    this.leases = new HostLeases(database, this.leaseTtlMs);
    this.holds = new HostHolds(this.leases, this.owner, this.leaseTtlMs, logger, (hostId) =>
      this.abortHost(hostId),
    );
    this.runs = withDatabaseRetry(options.runs, {
      ...defaultRetryPolicy,
      onRetry: (error) => logger.warn({ err: error }, 'database unreachable: trying again'),
    });
    this.journal = new RunJournal(this.runs, options.bus);
    this.batchRunner = new HostBatchRunner({ ...sessionRunDepsOf(options, this.journal), logger });
    this.stopWatch = new StopWatch(database, this.active, logger, options.stopPollMs ?? 200);
    this.worker = openBatchWorker(
      options.backend,
      options.queueName ?? SESSION_QUEUE,
      (job, token) => this.process(job, token),
      {
        concurrency: options.concurrency,
        lockDurationMs: Math.max(2000, this.leaseTtlMs / 2),
        stalledIntervalMs: Math.max(1000, this.leaseTtlMs / 4),
        onError: (error) => logger.warn({ err: error }, 'worker: queue connection error'),
      },
    );
    this.stopWatch.start();
  }

  /** Resolves once the worker is connected to the queue. */
  async ready(): Promise<void> {
    await this.worker.waitUntilReady();
  }

  /** Sessions running here now. */
  get running(): number {
    return this.active.size;
  }

  /**
   * Stops taking batches; sessions running now may finish within `graceMs` (then they are
   * killed), and the sessions of a batch that have not started go back to the queue.
   */
  async close(graceMs = 30_000): Promise<void> {
    this.closing = true;
    const grace = setTimeout(() => this.abortAll(), graceMs);
    grace.unref();
    try {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        this.worker.close(),
        new Promise((resolve) => (timer = setTimeout(resolve, graceMs + 15_000))),
      ]);
      clearTimeout(timer);
    } finally {
      clearTimeout(grace);
      this.stopWatch.stop();
      await this.holds.releaseAll();
      await this.batchRunner.close();
    }
  }

  /** Kills every session running here at once (a second Ctrl-C). */
  abortAll(): void {
    for (const [recordId, { controls, runId }] of this.active) {
      if (controls.kill.signal.aborted) continue;
      // Says why, since nobody asked this session to stop.
      const message = preformattedMessage(`worker ${this.owner} shut down: killed`, 'error');
      this.journal
        .message({ runId, recordId }, message)
        .catch((error: unknown) =>
          this.options.logger.warn({ err: error, recordId }, 'message not stored'),
        );
      controls.stop.abort();
      controls.kill.abort();
    }
  }

  private async process(job: BatchJob, token: string | undefined): Promise<void> {
    const batch = job.data;
    const key = batchJobId(batch.runId, batch.hostId);
    // A copy of a batch that runs here already (re-added after the queue lost it): that one
    // goes through every session of the batch.
    if (this.batches.has(key)) return;
    if (this.closing) return this.putBack(job, token);
    this.batches.add(key);
    try {
      const leftOver = await this.runBatch(batch);
      if (leftOver) return this.putBack(job, token);
    } finally {
      this.batches.delete(key);
    }
  }

  private async putBack(job: BatchJob, token: string | undefined): Promise<never> {
    await job.moveToWait(token);
    throw new WaitingError();
  }

  /** Runs a batch; true when this worker is closing and some of its sessions have not started. */
  private async runBatch(batch: BatchJobData): Promise<boolean> {
    const session = this.options.sessions.get(batch.session);
    if (!session) {
      await this.failWaiting(
        batch,
        `session ${batch.session} is not known to this worker's project`,
      );
      await this.journal.runFinishedIfDone(batch.runId);
      return false;
    }
    if (batch.secretValuesLost && !batch.sealed) {
      await this.failWaiting(batch, secretValuesLostText(batch.runId));
      await this.journal.runFinishedIfDone(batch.runId);
      return false;
    }
    // Decrypted here, kept in this call only: the values live as long as the batch runs.
    let values: RunValues = {};
    if (batch.sealed) {
      try {
        values = await openRunValues(this.options.secretKey(), batch.runId, batch.sealed);
      } catch (error) {
        await this.failWaiting(batch, (error as Error).message);
        await this.journal.runFinishedIfDone(batch.runId);
        return false;
      }
    }
    const outcome = await this.batchRunner.run({
      plan: {
        runId: batch.runId,
        session,
        model: batch.model,
        data: { ...batch.data, ...values.data },
        connection: values.connection,
        timeoutMs: batch.timeoutMs,
        runLimit: batch.runLimit,
      },
      batch,
      lock: this.hostLock(batch),
      controls: (job) => {
        const controls = { stop: new AbortController(), kill: new AbortController() };
        this.active.set(job.recordId, { controls, hostId: batch.hostId, runId: batch.runId });
        return controls;
      },
      done: (job) => this.active.delete(job.recordId),
      closing: () => this.closing,
      beforeJobs: () => this.endOrphans(batch),
    });
    if (outcome === 'elsewhere') return false;
    if (outcome !== 'left-over') {
      await this.journal.runFinishedIfDone(batch.runId);
      return false;
    }
    return this.anyWaiting(batch);
  }

  /** The batch's host, held through this worker's holds (shared by batches of one run). */
  private hostLock(batch: BatchJobData): HostLock {
    return {
      take: () => this.takeHost(batch),
      release: () =>
        this.holds
          .release(batch.hostId)
          .catch((error: unknown) =>
            this.options.logger.warn({ err: error, hostId: batch.hostId }, 'lease release failed'),
          ),
    };
  }

  /**
   * Takes the batch's host. Another run's lease makes the host busy (its sessions are canceled,
   * as in-process). A lease of this very batch is a lost worker's (or a live copy's): wait for
   * it to run out, then end what it left running; a holder that keeps renewing runs the batch.
   */
  private async takeHost(batch: BatchJobData): Promise<HostTake> {
    const deadline = Date.now() + 2 * this.leaseTtlMs + 5000;
    const pause = Math.min(1000, Math.max(100, this.leaseTtlMs / 8));
    for (let round = 0; round < 10_000 && Date.now() < deadline; round++) {
      if (await this.holds.take(batch.hostId, batch.runId)) return { kind: 'taken' };
      const holder = await this.leases.holder(batch.hostId);
      if (!holder) continue;
      const ours = holder.runId === batch.runId || (await this.anyStarted(batch));
      if (!ours) {
        return { kind: 'busy', text: hostBusyText(batch.hostName, holder) };
      }
      if (Date.parse(holder.expiresAt) < Date.now()) {
        await this.options.reaper?.reap();
        continue;
      }
      await new Promise((resolve) => setTimeout(resolve, pause));
    }
    return { kind: 'elsewhere' };
  }

  /** Ends, as lost, sessions of this batch left running by an earlier attempt. */
  private async endOrphans(batch: BatchJobData): Promise<void> {
    const ids = batch.jobs.map((job) => job.recordId).filter((id) => !this.active.has(id));
    if (ids.length === 0) return;
    const rows = await this.options.database.tables
      .selectFrom('minke_session_records')
      .select(lostColumns)
      .where('id', 'in', ids)
      .where('process_state', 'in', ['running', 'stopping'])
      .execute();
    if (rows.length === 0) return;
    await endLostSessions(
      this.journal,
      rows,
      () => `worker lost: the worker running it stopped before the session ended`,
    );
  }

  /** Ends the waiting sessions of a batch that cannot run at all, failed with the reason. */
  private async failWaiting(batch: BatchJobData, text: string): Promise<void> {
    for (const job of batch.jobs) {
      const { runId, hostName } = batch;
      await this.journal.failWaiting({ runId, hostName, ...jobRef(job) }, text);
    }
  }

  private async anyStarted(batch: BatchJobData): Promise<boolean> {
    return this.anyIn(batch, ['running', 'stopping']);
  }

  private async anyWaiting(batch: BatchJobData): Promise<boolean> {
    return this.anyIn(batch, ['initialized']);
  }

  private async anyIn(batch: BatchJobData, states: ProcessState[]): Promise<boolean> {
    const row = await this.options.database.tables
      .selectFrom('minke_session_records')
      .select('id')
      .where(
        'id',
        'in',
        batch.jobs.map((job) => job.recordId),
      )
      .where('process_state', 'in', states)
      .limit(1)
      .executeTakeFirst();
    return row !== undefined;
  }

  private abortHost(hostId: number): void {
    for (const entry of this.active.values()) {
      if (entry.hostId !== hostId) continue;
      entry.controls.stop.abort();
      entry.controls.kill.abort();
    }
  }
}

function jobRef(job: SessionJob): { recordId: number; objectId: number; objectLabel: string } {
  return { recordId: job.recordId, objectId: job.objectId, objectLabel: job.objectLabel };
}

/**
 * Why a batch queued again without its run's secret values does not run (kept nowhere else).
 * Under 120 characters: preformatted messages wrap there.
 */
function secretValuesLostText(runId: number): string {
  return `run ${runId} lost its secret values with its queued job (they are kept nowhere else): not run without them; run it again`;
}
