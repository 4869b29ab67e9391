import { randomUUID } from 'node:crypto';
import { RolloutCoordinator } from '../../rollout/rollout-coordinator.js';
import { RunJournal } from '../../runs/run-journal.js';
import type { Executor, HostBatch, RunPlan, StopOutcome } from '../executor.js';
import { sessionRunDepsOf, type ExecutorDeps } from '../executor-deps.js';
import { ExecutorOwners } from '../executor-owners.js';
import { HostBatchRunner } from '../host-batch-runner.js';
import { HostLeases } from '../host-lease.js';
import { Semaphore } from '../semaphore.js';
import type { StopControls } from '../session-runner.js';
import { runLease, takeLeasesAtOnce } from './run-lease.js';
import { LeaseRenewers } from '../lease-renewer.js';

export interface InProcessExecutorOptions extends ExecutorDeps {
  /** Hosts worked on at once. */
  maxParallelHosts?: number;
  /** How long a host lease lasts without renewal. */
  leaseTtlMs?: number;
  /** Who holds leases: unique per process. */
  owner?: string;
  /** False: a host's connection closes when its batch is done (see `HostBatchRunner`). */
  keepConnections?: boolean;
}

/**
 * Runs sessions in this process: hosts in parallel up to a limit, the sessions of one host one
 * after another (unless the session allows parallel runs), one pooled connection per host, and
 * each host held by a lease that is renewed while its sessions run.
 */
export class InProcessExecutor implements Executor {
  /** A plan's run-time connection stays in this process's memory, for the run only. */
  readonly takesRunTimeConnection = true;
  private readonly journal: RunJournal;
  private readonly batches: HostBatchRunner;
  private readonly hosts: Semaphore;
  private readonly leases: HostLeases;
  private readonly renewers: LeaseRenewers;
  private readonly leaseTtlMs: number;
  private readonly owner: string;
  private readonly controls = new Map<number, StopControls>();
  private readonly pending = new Set<Promise<void>>();
  /** This process as the owner of its runs: a row renewed while it lives (see ExecutorOwners). */
  private readonly owners: ExecutorOwners;
  private registration: Promise<void> | undefined;
  /** Rolling runs: batch by batch, handed to `submitNow`. */
  private readonly rollouts: RolloutCoordinator<RunPlan>;
  private heartbeat: NodeJS.Timeout | undefined;

  constructor(private readonly options: InProcessExecutorOptions) {
    this.hosts = new Semaphore(options.maxParallelHosts ?? 256);
    this.leaseTtlMs = options.leaseTtlMs ?? 60_000;
    this.leases = new HostLeases(options.database, this.leaseTtlMs);
    this.renewers = new LeaseRenewers(
      this.leases,
      Math.max(1000, Math.floor(this.leaseTtlMs / 3)),
      options.logger,
    );
    this.owner = options.owner ?? `minke-${process.pid}-${randomUUID()}`;
    this.owners = new ExecutorOwners(options.database, this.leaseTtlMs);
    this.journal = new RunJournal(options.runs, options.bus);
    this.batches = new HostBatchRunner(
      { ...sessionRunDepsOf(options, this.journal), logger: options.logger },
      { keepConnections: options.keepConnections ?? true },
    );
    this.rollouts = new RolloutCoordinator<RunPlan>({
      ...options,
      submit: (plan) => this.submitNow(plan),
      adoptsOrphans: false,
    });
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
    if (plan.rollout) this.rollouts.start({ ...plan, rollout: plan.rollout });
    else this.submitNow(plan);
  }

  private submitNow(plan: RunPlan): void {
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
    const outcome = await this.journal.stopRequested(recordId);
    this.abort(recordId, outcome);
    return outcome;
  }

  /**
   * Acts on a stop already written (`RunJournal.stopRequested`): a canceled or stopping session
   * runs nothing more, a killing one has its command killed. Apart from `stop` for a caller that
   * writes the stop itself (the session thread's other side, `ThreadExecutor`).
   */
  abort(recordId: number, outcome: StopOutcome): void {
    const controls = this.controls.get(recordId);
    if (outcome === 'canceled' || outcome === 'stopping') controls?.stop.abort();
    if (outcome === 'killing') {
      controls?.stop.abort();
      controls?.kill.abort();
    }
  }

  async idle(): Promise<void> {
    for (let i = 0; i < 1000 && this.pending.size > 0; i++)
      await Promise.allSettled([...this.pending]);
    await this.rollouts.idle();
    for (let i = 0; i < 1000 && this.pending.size > 0; i++)
      await Promise.allSettled([...this.pending]);
  }

  async close(): Promise<void> {
    await this.rollouts.close();
    for (const controls of this.controls.values()) {
      controls.stop.abort();
      controls.kill.abort();
    }
    await this.idle();
    await this.batches.close();
    this.renewers.stop();
    clearInterval(this.heartbeat);
    if (this.registration) {
      await this.registration.catch(() => undefined);
      await this.owners.remove(this.owner).catch(() => undefined);
    }
  }

  private async runPlan(plan: RunPlan): Promise<void> {
    // Stamped before any work, so that a crash from here on leaves a run the reaper can end.
    await this.registered();
    await this.options.runs.takeRun(plan.runId, this.owner);
    const hold = { owner: `${this.owner}/run-${plan.runId}`, runId: plan.runId };
    const startingNow = plan.batches.slice(0, this.hosts.free).map((batch) => batch.hostId);
    const taken = await takeLeasesAtOnce(this.leases, this.renewers, startingNow, hold);
    await Promise.all(
      plan.batches.map((batch) =>
        this.hosts.run(() =>
          this.runBatch(plan, batch, { ...hold, taken: taken.has(batch.hostId) }),
        ),
      ),
    );
    // One batch of a rolling run: later batches may be held, and the run goes on without them.
    if (plan.rolloutBatch === undefined) await this.journal.runFinished(plan.runId);
    else await this.journal.runFinishedIfDone(plan.runId);
  }

  private async runBatch(
    plan: RunPlan,
    batch: HostBatch,
    hold: { owner: string; runId: number; taken: boolean },
  ): Promise<void> {
    await this.batches.run({
      plan,
      batch,
      lock: runLease(this.leases, this.renewers, batch, hold),
      controls: (job) =>
        this.controls.get(job.recordId) ?? {
          stop: new AbortController(),
          kill: new AbortController(),
        },
      done: (job) => this.controls.delete(job.recordId),
    });
  }
}
