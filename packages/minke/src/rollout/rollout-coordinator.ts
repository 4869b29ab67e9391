import type { BatchPolicy } from '@minke/contract';
import type { EventBus } from '../events/event-bus.js';
import type { Logger } from '../logger.js';
import { RunJournal } from '../runs/run-journal.js';
import type { RunStore } from '../runs/run-store.js';
import type { Database } from '../store/database.js';
import { budgetExceeded, budgetReason, rolloutShape, splitIntoBatches } from './batch-sizes.js';
import { RolloutStore, type RolloutRow } from './rollout-store.js';

/** The part of an executor's plan a rollout reads: its runs' jobs per host. */
export interface RollablePlan {
  runId: number;
  batches: { hostId: number; hostName: string; jobs: { recordId: number }[] }[];
  rollout?: BatchPolicy | undefined;
  rolloutBatch?: number | undefined;
}

export interface RolloutCoordinatorOptions<Plan extends RollablePlan> {
  database: Database;
  runs: RunStore;
  bus: EventBus;
  logger: Logger;
  /** Hands one batch of a run (a plan with only that batch's jobs) to the executor. */
  submit(plan: Plan): void;
  /**
   * Whether this process steps rollouts it did not start (a server after another one died):
   * true on the BullMQ executor, whose requeuer queues a batch opened here from the database;
   * false in-process, where only the process that holds a run can run its sessions.
   */
  adoptsOrphans: boolean;
  /** How often the database is asked for rollouts to step (default 1 s). */
  passIntervalMs?: number;
}

/** At most this many steps in a row for one run before it waits for the next event or pass. */
const MAX_STEPS_IN_A_ROW = 50;

/**
 * Rolls runs out batch by batch (Ansible's `serial` + `max_fail_percentage`). A run's records
 * are split into batches (in run order) and stored with the rollout's state; batch 1 goes to
 * the executor at once, and when a batch's last session ends (a `session.finished` event here,
 * or the periodic pass over the database) the coordinator either spends the failure budget —
 * no new batch; the records never started are canceled through the run journal with the reason —
 * or pauses, or opens the next batch. Each move is a conditional update on the batch a process
 * saw, so with several servers exactly one moves a run on; the state is in the database, so a
 * server that dies leaves its rollouts to the others.
 */
export class RolloutCoordinator<Plan extends RollablePlan> {
  private readonly store: RolloutStore;
  private readonly journal: RunJournal;
  /** Plans of the runs this process started, kept in memory (they carry secret values). */
  private readonly plans = new Map<number, Plan>();
  private readonly stepping = new Map<number, { again: boolean; done: Promise<void> }>();
  private readonly wakeUps = new Map<number, NodeJS.Timeout>();
  private readonly finished = new Map<number, () => void>();
  private readonly waits = new Map<number, Promise<void>>();
  private readonly unsubscribe: () => void;
  private readonly pass: NodeJS.Timeout;
  private passing: Promise<void> | undefined;
  private closed = false;

  constructor(private readonly options: RolloutCoordinatorOptions<Plan>) {
    this.store = new RolloutStore(options.database);
    this.journal = new RunJournal(options.runs, options.bus);
    this.unsubscribe = options.bus.subscribe((event) => {
      if (event.type === 'session.finished' && this.plans.has(event.runId)) this.kick(event.runId);
    });
    this.pass = setInterval(() => this.runPass(), options.passIntervalMs ?? 1000);
    this.pass.unref();
  }

  /** Stores the rollout and hands batch 1 to the executor; returns at once. */
  start(plan: Plan & { rollout: BatchPolicy }): void {
    const { runId } = plan;
    this.plans.set(runId, plan);
    this.waits.set(runId, new Promise((resolve) => this.finished.set(runId, resolve)));
    const records = plan.batches
      .flatMap((batch) => batch.jobs.map((job) => job.recordId))
      .sort((a, b) => a - b);
    const shape = rolloutShape(plan.rollout, records.length);
    const batches = splitIntoBatches(records, shape.batchSize);
    this.store
      .create(runId, plan.rollout, shape, records.length, batches)
      .then(() => {
        this.options.submit(this.batchOf(plan, 1, new Set(batches[0] ?? [])));
        if (batches.length === 0) this.kick(runId);
      })
      .catch((error: unknown) => {
        this.options.logger.error({ err: error, runId }, 'rollout: could not store the batches');
        this.forget(runId);
      });
  }

  /** Resolves when every rollout started here has settled (bounded: 24 h). */
  async idle(): Promise<void> {
    const deadline = Date.now() + 24 * 3600_000;
    while (this.waits.size > 0 && Date.now() < deadline && !this.closed)
      await Promise.race([
        Promise.allSettled([...this.waits.values()]),
        new Promise((resolve) => setTimeout(resolve, 1000)),
      ]);
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.pass);
    this.unsubscribe();
    for (const timer of this.wakeUps.values()) clearTimeout(timer);
    this.wakeUps.clear();
    await this.passing;
    await Promise.allSettled([...this.stepping.values()].map((entry) => entry.done));
    for (const runId of [...this.finished.keys()]) this.forget(runId);
  }

  /** Steps a run now, or once more after the step under way. */
  private kick(runId: number): void {
    if (this.closed) return;
    const current = this.stepping.get(runId);
    if (current) {
      current.again = true;
      return;
    }
    const entry = { again: true, done: Promise.resolve() };
    entry.done = (async () => {
      for (let i = 0; entry.again && i < MAX_STEPS_IN_A_ROW && !this.closed; i++) {
        entry.again = false;
        try {
          entry.again = (await this.step(runId)) || entry.again;
        } catch (error) {
          this.options.logger.warn({ err: error, runId }, 'rollout: step failed; retried later');
        }
      }
      this.stepping.delete(runId);
    })();
    this.stepping.set(runId, entry);
  }

  private runPass(): void {
    if (this.passing || this.closed) return;
    this.passing = this.store
      .unsettled()
      .then((runIds) => {
        for (const runId of runIds)
          if (this.options.adoptsOrphans || this.plans.has(runId)) this.kick(runId);
      })
      .catch((error: unknown) =>
        this.options.logger.warn({ err: error }, 'rollout: pass could not read the database'),
      )
      .finally(() => (this.passing = undefined));
  }

  /** One move of a run; true when another step should follow at once. */
  private async step(runId: number): Promise<boolean> {
    const rollout = await this.store.get(runId);
    if (!rollout || rollout.state === 'finished') {
      this.forget(runId);
      return false;
    }
    if (rollout.state === 'budget-exceeded') {
      await this.cancelHeld(rollout);
      return false;
    }
    if (await this.store.runFinished(runId)) {
      // Stopped by a user, or ended by a reaper: nothing left to roll out.
      await this.store.finish(runId, rollout.currentBatch);
      this.forget(runId);
      return false;
    }
    if (rollout.state === 'pausing') return this.afterPause(rollout);
    const counts = await this.store.counts(runId);
    const current = rollout.currentBatch;
    if ((counts.get(current)?.open ?? 0) > 0) return false;
    let failed = 0;
    let started = 0;
    for (const [batch, count] of counts)
      if (batch <= current) {
        failed += count.failed;
        started += count.recordIds.length;
      }
    if (budgetExceeded(failed, rollout.allowedFailures) && current < rollout.batchCount) {
      const reason = budgetReason(started, rollout.total, failed, rollout.allowedFailures ?? 0);
      if (await this.store.spendBudget(runId, current, reason)) {
        this.options.logger.info({ runId, failed, started }, `rollout: ${reason}`);
        return true;
      }
      return false;
    }
    if (current >= rollout.batchCount) {
      await this.store.finish(runId, current);
      await this.journal.runFinishedIfDone(runId);
      this.forget(runId);
      return false;
    }
    const pauseSeconds = rollout.policy.pauseSeconds ?? 0;
    if (pauseSeconds > 0) {
      const until = new Date(Date.now() + pauseSeconds * 1000);
      if (await this.store.pause(runId, current, until)) this.wakeAt(runId, until);
      return false;
    }
    return this.openNext(rollout);
  }

  private async afterPause(rollout: RolloutRow): Promise<boolean> {
    const until = Date.parse(rollout.nextBatchAt ?? '');
    if (Number.isFinite(until) && until > Date.now()) {
      this.wakeAt(rollout.runId, new Date(until));
      return false;
    }
    return this.openNext(rollout);
  }

  /** Opens the next batch (one process wins) and hands it to the executor if the plan is here. */
  private async openNext(rollout: RolloutRow): Promise<boolean> {
    const next = rollout.currentBatch + 1;
    if (!(await this.store.openNext(rollout.runId, rollout.currentBatch))) return false;
    const plan = this.plans.get(rollout.runId);
    // Without the plan (another server started the run) the requeuer queues the opened batch.
    if (plan)
      this.options.submit(
        this.batchOf(plan, next, new Set(await this.store.recordsOf(rollout.runId, next))),
      );
    // A batch whose sessions were all stopped meanwhile has nothing to wait for.
    return true;
  }

  /** Cancels every record not started, with the reason, and finishes the run. */
  private async cancelHeld(rollout: RolloutRow): Promise<void> {
    const reason = rollout.reason ?? 'failure budget exceeded';
    for (const record of await this.store.heldAfter(rollout.runId, rollout.currentBatch))
      await this.journal.cancelWaiting(record, reason);
    await this.journal.runFinishedIfDone(rollout.runId);
    if (await this.store.runFinished(rollout.runId)) this.forget(rollout.runId);
  }

  private wakeAt(runId: number, at: Date): void {
    clearTimeout(this.wakeUps.get(runId));
    // Not unref'd: a CLI run in a pause keeps its process alive until the next batch.
    const timer = setTimeout(
      () => {
        this.wakeUps.delete(runId);
        this.kick(runId);
      },
      Math.max(0, at.getTime() - Date.now()) + 5,
    );
    this.wakeUps.set(runId, timer);
  }

  private batchOf(plan: Plan, batch: number, recordIds: ReadonlySet<number>): Plan {
    const batches = plan.batches
      .map((hostBatch) => ({
        ...hostBatch,
        jobs: hostBatch.jobs.filter((job) => recordIds.has(job.recordId)),
      }))
      .filter((hostBatch) => hostBatch.jobs.length > 0);
    return { ...plan, batches, rollout: undefined, rolloutBatch: batch };
  }

  private forget(runId: number): void {
    this.plans.delete(runId);
    clearTimeout(this.wakeUps.get(runId));
    this.wakeUps.delete(runId);
    this.finished.get(runId)?.();
    this.finished.delete(runId);
    this.waits.delete(runId);
  }
}
