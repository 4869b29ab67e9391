import { createHash, randomUUID } from 'node:crypto';
import type { EventBus } from '../../events/event-bus.js';
import type { Logger } from '../../logger.js';
import type { Project } from '../../project/open-project.js';
import type { RunStore } from '../../runs/run-store.js';
import { preformattedMessage } from '../../session/messages.js';
import { ConnectionPool } from '../../transport/connection-pool.js';
import { pooledTransport } from '../../transport/create-transport.js';
import type { Transport } from '../../transport/transport.js';
import type { Executor, HostBatch, RunPlan, StopOutcome } from '../executor.js';
import { resolveHostConnection } from '../host-connection.js';
import { ExecutorOwners } from '../executor-owners.js';
import { HostLeases } from '../host-lease.js';
import { Semaphore } from '../semaphore.js';
import { runSessionJob, type StopControls } from '../session-runner.js';
import { requestStopAndTell } from '../stop-event.js';
import { addRecordMessage } from '../../runs/add-message.js';

export interface InProcessExecutorOptions {
  project: Project;
  runs: RunStore;
  bus: EventBus;
  logger: Logger;
  /** Hosts worked on at once. */
  maxParallelHosts?: number;
  /** How long a host lease lasts without renewal. */
  leaseTtlMs?: number;
  /** Who holds leases: unique per process. */
  owner?: string;
}

/**
 * Runs sessions in this process: hosts in parallel up to a limit, the sessions of one host one
 * after another (unless the session allows parallel runs), one pooled connection per host, and
 * each host held by a lease that is renewed while its sessions run.
 */
export class InProcessExecutor implements Executor {
  /** A plan's run-time connection stays in this process's memory, for the run only. */
  readonly takesRunTimeConnection = true;
  private readonly pool = new ConnectionPool({ idleTimeoutMs: 30_000 });
  private readonly hosts: Semaphore;
  private readonly leases: HostLeases;
  private readonly leaseTtlMs: number;
  private readonly owner: string;
  private readonly controls = new Map<number, StopControls>();
  private readonly pending = new Set<Promise<void>>();
  /** This process as the owner of its runs: a row renewed while it lives (see ExecutorOwners). */
  private readonly owners: ExecutorOwners;
  private registration: Promise<void> | undefined;
  private heartbeat: NodeJS.Timeout | undefined;

  constructor(private readonly options: InProcessExecutorOptions) {
    this.hosts = new Semaphore(options.maxParallelHosts ?? 256);
    this.leaseTtlMs = options.leaseTtlMs ?? 60_000;
    this.leases = new HostLeases(options.project.database, this.leaseTtlMs);
    this.owner = options.owner ?? `minke-${process.pid}-${randomUUID()}`;
    this.owners = new ExecutorOwners(options.project.database, this.leaseTtlMs);
  }

  /** Registers this process once, and renews it while it lives (until `close`). */
  private registered(): Promise<void> {
    if (this.registration) return this.registration;
    this.registration = this.owners.register(this.owner);
    this.heartbeat = setInterval(
      () => {
        this.owners
          .register(this.owner)
          .catch((error: unknown) =>
            this.options.logger.warn({ err: error }, 'executor heartbeat failed'),
          );
      },
      Math.max(1000, Math.floor(this.leaseTtlMs / 3)),
    );
    this.heartbeat.unref();
    return this.registration;
  }

  submit(plan: RunPlan): void {
    for (const batch of plan.batches) {
      for (const job of batch.jobs)
        this.controls.set(job.recordId, {
          stop: new AbortController(),
          kill: new AbortController(),
        });
    }
    const run = this.runPlan(plan).catch((error: unknown) => {
      this.options.logger.error({ err: error, runId: plan.runId }, 'run failed');
    });
    this.pending.add(run);
    void run.finally(() => this.pending.delete(run));
  }

  async stop(recordId: number): Promise<StopOutcome> {
    const { runs, bus } = this.options;
    if (await runs.cancelWaiting(recordId)) {
      this.controls.get(recordId)?.stop.abort();
      const identity = await runs.identity(recordId);
      if (identity) {
        const message = preformattedMessage('canceled before it started', 'error');
        await addRecordMessage(runs, bus, { runId: identity.runId, recordId }, message);
        this.publishCanceled(
          recordId,
          identity.objectId,
          identity.objectLabel,
          identity.hostName,
          identity.runId,
        );
      }
      return 'canceled';
    }
    const outcome = await requestStopAndTell(runs, bus, recordId);
    const controls = this.controls.get(recordId);
    if (outcome === 'killing') {
      controls?.stop.abort();
      controls?.kill.abort();
    } else if (outcome === 'stopping') {
      controls?.stop.abort();
    }
    return outcome;
  }

  async idle(): Promise<void> {
    for (let i = 0; i < 1000 && this.pending.size > 0; i++)
      await Promise.allSettled([...this.pending]);
  }

  async close(): Promise<void> {
    for (const controls of this.controls.values()) {
      controls.stop.abort();
      controls.kill.abort();
    }
    await this.idle();
    await this.pool.closeAll();
    clearInterval(this.heartbeat);
    if (this.registration) {
      await this.registration.catch(() => undefined);
      await this.owners.remove(this.owner).catch(() => undefined);
    }
  }

  private async runPlan(plan: RunPlan): Promise<void> {
    // Stamped before any work, so that a crash from here on leaves a run the reaper can end.
    await this.registered();
    await this.owners.takeRun(plan.runId, this.owner);
    await Promise.all(
      plan.batches.map((batch) => this.hosts.run(() => this.runBatch(plan, batch))),
    );
    const summary = await this.options.runs.finishRun(plan.runId);
    this.options.bus.publish({
      type: 'run.finished',
      runId: plan.runId,
      summary,
      at: new Date().toISOString(),
    });
  }

  private async runBatch(plan: RunPlan, batch: HostBatch): Promise<void> {
    const { runs, logger } = this.options;
    // One lease holder per run, so that two runs in this process cannot work on a host at once.
    const owner = `${this.owner}/run-${plan.runId}`;
    if (!(await this.leases.acquire(batch.hostId, owner, plan.runId))) {
      const holder = await this.leases.holder(batch.hostId);
      const text = `host ${batch.hostName} is busy with run ${holder?.runId ?? '?'} (its lease runs until ${holder?.expiresAt ?? '?'})`;
      for (const job of batch.jobs) {
        if (await runs.cancelWaiting(job.recordId)) {
          const ids = { runId: plan.runId, recordId: job.recordId };
          await addRecordMessage(runs, this.options.bus, ids, preformattedMessage(text, 'error'));
          this.publishCanceled(
            job.recordId,
            job.objectId,
            job.objectLabel,
            batch.hostName,
            plan.runId,
          );
        }
        this.controls.delete(job.recordId);
      }
      return;
    }
    const renewal = setInterval(
      () => {
        this.leases
          .renew(batch.hostId, owner)
          .catch((error: unknown) =>
            logger.warn({ err: error, host: batch.hostName }, 'lease renewal failed'),
          );
      },
      Math.max(1000, Math.floor(this.leaseTtlMs / 3)),
    );
    try {
      let transport: Promise<Transport> | undefined;
      const connect = () => (transport ??= this.transportFor(plan, batch));
      const deps = {
        project: this.options.project,
        runs,
        bus: this.options.bus,
        logger,
        debug: this.options.project.config.debug,
      };
      const runJob = async (job: HostBatch['jobs'][number]) => {
        const controls = this.controls.get(job.recordId) ?? {
          stop: new AbortController(),
          kill: new AbortController(),
        };
        try {
          await runSessionJob(deps, plan, batch.hostName, job, connect, controls);
        } catch (error) {
          logger.error(
            { err: error, recordId: job.recordId },
            'session record could not be finished',
          );
        } finally {
          this.controls.delete(job.recordId);
        }
      };
      if (plan.session.parallelPerHost) await Promise.all(batch.jobs.map(runJob));
      else for (const job of batch.jobs) await runJob(job);
    } finally {
      clearInterval(renewal);
      await this.leases.release(batch.hostId, owner).catch(() => undefined);
    }
  }

  private async transportFor(plan: RunPlan, batch: HostBatch): Promise<Transport> {
    const config = await resolveHostConnection(
      this.options.project,
      batch.hostName,
      plan.session.cls.connection,
      plan.connection,
    );
    // Sessions whose settings give the same connection share it; others get their own.
    const key = `${batch.hostId}:${createHash('sha256').update(JSON.stringify(config)).digest('hex').slice(0, 16)}`;
    return pooledTransport(this.pool, key, config, { logger: this.options.logger });
  }

  private publishCanceled(
    recordId: number,
    objectId = 0,
    objectLabel = '',
    hostName: string | null = null,
    runId = 0,
  ): void {
    this.options.bus.publish({
      type: 'session.finished',
      runId,
      recordId,
      objectId,
      objectLabel,
      hostName,
      processState: 'canceled',
      result: 'error',
      durationMs: null,
      at: new Date().toISOString(),
    });
  }
}
