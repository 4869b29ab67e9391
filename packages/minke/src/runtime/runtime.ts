import { createEventBus } from '../events/create-event-bus.js';
import type { EventBus } from '../events/event-bus.js';
import type { Executor } from '../executor/executor.js';
import { DeferredExecutor } from '../executor/bullmq/deferred-executor.js';
import type { BatchQueue } from '../executor/bullmq/queue-backend.js';
import { executorDepsOf } from './executor-deps-of.js';
import { executorAfter } from './executor-after.js';
import { ExecutorOwners } from '../executor/executor-owners.js';
import { InProcessExecutor } from '../executor/in-process/in-process-executor.js';
import { OrphanReaper } from '../executor/orphan-reaper.js';
import { createLogger, silentLogger, type Logger } from '../logger.js';
import { RunStore } from '../runs/run-store.js';
import type { Project } from '../operations/project.js';
import type { RunServices } from '../operations/start-run.js';
import { choiceCheckFor } from '../choices/check-choices.js';
import { Worker } from 'node:worker_threads';
import { ThreadExecutor } from '../executor/thread/thread-executor.js';
import { RunJournal } from '../runs/run-journal.js';
import type { SessionThreadData, SessionThreadSpec } from './session-thread-spec.js';

export interface Runtime extends RunServices {
  logger: Logger;
  /** The BullMQ queue, with that executor (for its depth in `/metrics`). */
  queue?: Promise<BatchQueue>;
  close(): Promise<void>;
}

export interface RuntimeOptions {
  logger?: Logger;
  bus?: EventBus;
  leaseTtlMs?: number;
  quiet?: boolean;
  /**
   * With the BullMQ executor: `all` (default) queues runs and works on them here, `server`
   * only queues them (workers elsewhere run them), `client` queues and watches one (the CLI's
   * `run`). The in-process executor always runs sessions here.
   */
  role?: 'all' | 'server' | 'client';
  /**
   * With the in-process executor: run the sessions in a worker thread (`minke start`), so that
   * the API's event loop is not the one driving SSH. Undefined: in this thread.
   */
  sessionThread?: SessionThreadSpec | undefined;
  /**
   * With the in-process executor: false closes a host's connection as soon as its sessions in a
   * run are done, for a process that runs one run and exits (`minke run`); by default they stay
   * open a while for the next run.
   */
  keepConnections?: boolean;
}

/**
 * The moving parts that run sessions, assembled for one process by configuration: the run
 * store, the event bus (in memory, on Redis or on PostgreSQL: `eventBus`) and the executor
 * (in-process, or BullMQ, whose code is loaded only when configured).
 */
export function createRuntime(project: Project, options: RuntimeOptions = {}): Runtime {
  const logger = options.logger ?? (options.quiet ? silentLogger : createLogger());
  const runs = new RunStore(project.database);
  const bus = options.bus ?? createEventBus(project, logger);
  const parts =
    project.config.executor.kind === 'bullmq'
      ? queuedExecutor(project, { runs, bus, logger }, options)
      : inProcessExecutor(project, { runs, bus, logger }, options);
  return {
    project,
    runs,
    bus,
    executor: parts.executor,
    checkChoices: choiceCheckFor(project),
    logger,
    queue: parts.queue,
    async close() {
      await parts.close();
      await bus.close();
    },
  };
}

/** What runs sessions in this process, and what closing it stops (not the bus: the caller's). */
interface ExecutorParts {
  executor: Executor;
  queue?: Promise<BatchQueue>;
  close(): Promise<void>;
}

interface Wiring {
  runs: RunStore;
  bus: EventBus;
  logger: Logger;
}

function inProcessExecutor(
  project: Project,
  wiring: Wiring,
  options: RuntimeOptions,
): ExecutorParts {
  if (options.sessionThread) return threadExecutor(project, wiring, options.sessionThread);
  return inProcessParts(project, wiring, options);
}

/** The in-process executor and its reaper: what runs sessions in this thread. */
export function inProcessParts(
  project: Project,
  { runs, bus, logger }: Wiring,
  options: { leaseTtlMs?: number | undefined; owner?: string; keepConnections?: boolean },
): ExecutorParts & { inProcess: InProcessExecutor } {
  const leaseTtlMs = options.leaseTtlMs ?? project.config.executor.leaseTtlMs;
  const inProcess = new InProcessExecutor({
    ...executorDepsOf(project, { runs, bus, logger }),
    maxParallelHosts: project.config.executor.maxParallelHosts,
    leaseTtlMs,
    ...(options.owner === undefined ? {} : { owner: options.owner }),
    ...(options.keepConnections === undefined ? {} : { keepConnections: options.keepConnections }),
  });
  // Every process that runs sessions in-process ends the runs of those that died (kill -9, crash)
  // mid-run, at its start and then periodically: a `minke run` after a killed one finds its hosts
  // free, without a server.
  const reaper = new OrphanReaper({
    database: project.database,
    owners: new ExecutorOwners(project.database, leaseTtlMs),
    runs,
    bus,
    logger,
    intervalMs: Math.min(5000, leaseTtlMs),
  });
  const executor = executorAfter(reaper.start(), inProcess, (error) =>
    logger.error({ err: error }, 'a run could not be submitted'),
  );
  return {
    executor,
    inProcess,
    async close() {
      await reaper.stop();
      await executor.close();
    },
  };
}

/** Sessions in a worker thread of this process (`SessionThreadSpec`), events back on `bus`. */
function threadExecutor(
  project: Project,
  { runs, bus, logger }: Wiring,
  spec: SessionThreadSpec,
): ExecutorParts {
  const owners = new ExecutorOwners(project.database, project.config.executor.leaseTtlMs);
  const executor = new ThreadExecutor({
    start: (owner, port) => {
      const workerData: SessionThreadData = { ...spec.workerData, owner, port };
      const transferList = [port];
      return 'code' in spec.entry
        ? new Worker(spec.entry.code, { eval: true, workerData, transferList })
        : new Worker(spec.entry, { workerData, transferList });
    },
    journal: new RunJournal(runs, bus),
    bus,
    logger,
    stallMs: project.config.executor.threadStallMs,
    async threadGone(owner, runIds) {
      for (const runId of runIds) await runs.takeRun(runId, owner);
      await owners.remove(owner);
    },
  });
  return { executor, close: () => executor.close() };
}

function queuedExecutor(
  project: Project,
  { runs, bus, logger }: Wiring,
  options: RuntimeOptions,
): ExecutorParts {
  const scaleOut = import('./scale-out.js').then((m) =>
    m.startScaleOut({
      project,
      runs,
      bus,
      logger,
      role: options.role ?? 'all',
      ...(options.leaseTtlMs === undefined ? {} : { leaseTtlMs: options.leaseTtlMs }),
    }),
  );
  const executor = new DeferredExecutor(
    scaleOut.then((parts): Executor => ({
      submit: (plan) => parts.executor.submit(plan),
      stop: (recordId) => parts.executor.stop(recordId),
      idle: () => parts.executor.idle(),
      close: () => parts.close(),
    })),
    (error) => logger.error({ err: error }, 'the BullMQ executor failed'),
  );
  const queue = scaleOut.then((parts) => parts.executor.queue);
  queue.catch(() => undefined); // the executor reports why
  return { executor, queue, close: () => executor.close() };
}
