import type { EventBus } from '../../events/event-bus.js';
import type { Logger } from '../../logger.js';
import type { Project } from '../../project/open-project.js';
import { addRecordMessage } from '../../runs/add-message.js';
import type { RunStore } from '../../runs/run-store.js';
import { preformattedMessage } from '../../session/messages.js';
import type { Executor, RunPlan, StopOutcome } from '../executor.js';
import { finishRunIfDone } from '../reaper.js';
import { requestStopAndTell } from '../stop-event.js';
import { batchJobs, SESSION_QUEUE } from './batch-job.js';
import { openBatchQueue, type BatchQueue, type QueueBackend } from './queue-backend.js';

export interface BullmqExecutorOptions {
  project: Project;
  runs: RunStore;
  bus: EventBus;
  logger: Logger;
  backend: QueueBackend;
  queueName?: string;
}

/**
 * The executor of a server: it queues a run's batches (one job per host) for workers on any
 * machine, and stops sessions through the database, which every worker watches. What it cannot
 * queue (the queue away) stays waiting in the database, where the requeuer finds it.
 */
export class BullmqExecutor implements Executor {
  readonly queue: BatchQueue;
  private readonly submitted = new Set<number>();
  private readonly adding = new Set<Promise<void>>();

  constructor(private readonly options: BullmqExecutorOptions) {
    this.queue = openBatchQueue(options.backend, options.queueName ?? SESSION_QUEUE, (error) =>
      options.logger.warn({ err: error }, 'queue connection error'),
    );
  }

  submit(plan: RunPlan): void {
    const { project, runs, bus, logger } = this.options;
    this.submitted.add(plan.runId);
    const work =
      plan.batches.length === 0
        ? finishRunIfDone(project.database, runs, bus, plan.runId).then(() => undefined)
        : this.queue.addBulk(batchJobs(plan)).then(() => undefined);
    const tracked = work.catch((error: unknown) =>
      logger.error(
        { err: error, runId: plan.runId },
        'could not queue the run: its sessions wait in the database until the queue is back',
      ),
    );
    this.adding.add(tracked);
    void tracked.finally(() => this.adding.delete(tracked));
  }

  async stop(recordId: number): Promise<StopOutcome> {
    const { project, runs, bus } = this.options;
    if (await runs.cancelWaiting(recordId)) {
      const identity = await runs.identity(recordId);
      if (identity) {
        const ids = { runId: identity.runId, recordId };
        const message = preformattedMessage('canceled before it started', 'error');
        await addRecordMessage(runs, bus, ids, message);
        bus.publish({
          type: 'session.finished',
          ...ids,
          objectId: identity.objectId,
          objectLabel: identity.objectLabel,
          hostName: identity.hostName,
          processState: 'canceled',
          result: 'error',
          durationMs: null,
          at: new Date().toISOString(),
        });
        await finishRunIfDone(project.database, runs, bus, identity.runId);
      }
      return 'canceled';
    }
    // The worker running it reads the counter within its poll interval.
    return requestStopAndTell(runs, bus, recordId);
  }

  /** Resolves when every run submitted here has finished (bounded: 24 h). */
  async idle(): Promise<void> {
    await Promise.allSettled([...this.adding]);
    const deadline = Date.now() + 24 * 3600_000;
    while (this.submitted.size > 0 && Date.now() < deadline) {
      const rows = await this.options.project.database.db
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
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.allSettled([...this.adding]),
      new Promise((resolve) => (timer = setTimeout(resolve, 5000))),
    ]);
    clearTimeout(timer);
    await this.queue.close();
  }
}
