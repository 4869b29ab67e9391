import type { EventBus } from '../events/event-bus.js';
import type { Logger } from '../logger.js';
import type { Project } from '../operations/project.js';
import type { RunStore } from '../runs/run-store.js';
import { executorDepsOf } from './executor-deps-of.js';
import { LeaseReaper } from '../executor/reaper.js';
import { BullmqExecutor } from '../executor/bullmq/bullmq-executor.js';
import type { QueueBackend } from '../executor/bullmq/queue-backend.js';
import { queueBackendOf } from '../executor/bullmq/queue-backend-of.js';
import { Requeuer } from '../executor/bullmq/requeuer.js';
import { SessionWorker } from '../executor/bullmq/session-worker.js';

/**
 * What a process does with the queue. `all`: queue runs and work on them (`minke start`);
 * `server`: queue runs, no sessions here (`minke serve`); `worker`: work only (`minke worker`);
 * `client`: queue a run and watch it (`minke run`). Servers and workers also end lost workers'
 * sessions and queue again what the queue lost.
 */
export type ScaleOutRole = 'all' | 'server' | 'worker' | 'client';

export interface ScaleOutOptions {
  project: Project;
  runs: RunStore;
  bus: EventBus;
  logger: Logger;
  role: ScaleOutRole;
  backend?: QueueBackend;
  queueName?: string;
  /** Hosts one worker works on at once (default: the project's `maxParallelHosts`). */
  concurrency?: number;
  leaseTtlMs?: number;
  stopPollMs?: number;
  reaperIntervalMs?: number;
  requeueIntervalMs?: number;
  requeueMinAgeMs?: number;
}

export interface ScaleOut {
  executor: BullmqExecutor;
  worker: SessionWorker | undefined;
  reaper: LeaseReaper | undefined;
  requeuer: Requeuer | undefined;
  /** Stops the worker first (see `SessionWorker.close`), then the loops and the queue. */
  close(graceMs?: number): Promise<void>;
}

/** Starts the queue side of a process for its role. */
export function startScaleOut(options: ScaleOutOptions): ScaleOut {
  const { project, runs, bus, logger, role } = options;
  const backend = options.backend ?? queueBackendOf(project);
  const leaseTtlMs = options.leaseTtlMs ?? project.config.executor.leaseTtlMs;
  const queueName = options.queueName;
  // The one place the queue side sees the project: its parts take only what they use.
  const deps = executorDepsOf(project, { runs, bus, logger });
  const executor = new BullmqExecutor({
    ...deps,
    backend,
    ...(queueName === undefined ? {} : { queueName }),
  });
  const maintains = role !== 'client';
  const reaper = maintains
    ? new LeaseReaper({
        database: project.database,
        runs,
        bus,
        logger,
        intervalMs: options.reaperIntervalMs ?? Math.max(250, Math.min(5000, leaseTtlMs / 4)),
      })
    : undefined;
  const requeuer = maintains
    ? new Requeuer({
        database: project.database,
        queue: executor.queue,
        logger,
        intervalMs: options.requeueIntervalMs ?? 15_000,
        minAgeMs: options.requeueMinAgeMs ?? 10_000,
      })
    : undefined;
  const worker =
    role === 'all' || role === 'worker'
      ? new SessionWorker({
          ...deps,
          backend,
          leaseTtlMs,
          ...(queueName === undefined ? {} : { queueName }),
          concurrency: options.concurrency ?? project.config.executor.maxParallelHosts,
          ...(options.stopPollMs === undefined ? {} : { stopPollMs: options.stopPollMs }),
          ...(reaper ? { reaper } : {}),
        })
      : undefined;
  void reaper?.start();
  requeuer?.start();
  requeuer?.kick();
  // Redis back after a restart may have lost its jobs: compare with the database at once.
  if (requeuer) executor.queue.onReconnect(() => requeuer.kick());
  return {
    executor,
    worker,
    reaper,
    requeuer,
    async close(graceMs?: number) {
      await worker?.close(graceMs);
      await reaper?.stop();
      await requeuer?.stop();
      await executor.close();
    },
  };
}
