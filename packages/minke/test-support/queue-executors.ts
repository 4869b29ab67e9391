/**
 * The executors the session conformance suite runs against: each builds a runtime for a test's
 * project and cleans up after it. The BullMQ one queues on a uniquely prefixed Redis namespace
 * and runs a worker in this process with its own event bus connection, so events, stops and
 * leases travel the way they do between machines.
 *
 * @example
 *   describe.each(executorsUnderTest())('... on $name', ({ start }) => { ... });
 */
import { RedisEventBus } from '../src/events/redis/redis-event-bus.js';
import type { QueueBackend } from '../src/executor/bullmq/queue-backend.js';
import { startScaleOut, type ScaleOut } from '../src/runtime/scale-out.js';
import { silentLogger, type Logger } from '../src/logger.js';
import type { Project } from '../src/operations/project.js';
import { createRuntime, type Runtime } from '../src/runtime/runtime.js';
import { RunStore } from '../src/runs/run-store.js';
import pg from 'pg';
import { POSTGRES_URL } from './databases.js';
import { deleteRedisPrefix, REDIS_URL, uniqueRedisPrefix } from './redis.js';
import { choiceCheckFor } from '../src/choices/check-choices.js';

export interface StartedExecutor {
  runtime: Runtime;
  /** The worker side, for tests that look inside (BullMQ only). */
  worker?: ScaleOut;
  cleanup(): Promise<void>;
}

export interface ExecutorUnderTest {
  name: string;
  start(project: Project, options?: { logger?: Logger }): Promise<StartedExecutor>;
}

export const inProcessExecutor: ExecutorUnderTest = {
  name: 'in-process',
  start: (project) => {
    const runtime = createRuntime(project, { quiet: true });
    return Promise.resolve({ runtime, cleanup: () => runtime.close() });
  },
};

export interface QueuedSetup {
  backend: QueueBackend;
  busUrl: string;
  prefix: string;
  leaseTtlMs?: number;
  logger?: Logger;
}

/**
 * A server side (queues runs, stops sessions, reaps) and a worker side (runs them), each with
 * its own bus connection, over one queue namespace.
 */
export async function startQueued(project: Project, setup: QueuedSetup): Promise<StartedExecutor> {
  const logger = setup.logger ?? silentLogger;
  const bus = (name: string) =>
    new RedisEventBus({
      url: setup.busUrl,
      prefix: setup.prefix,
      logger: logger.child({ bus: name }),
    });
  const serverBus = bus('server');
  const workerBus = bus('worker');
  const runs = new RunStore(project.database);
  const common = {
    project,
    runs,
    logger,
    backend: setup.backend,
    ...(setup.leaseTtlMs === undefined ? {} : { leaseTtlMs: setup.leaseTtlMs }),
    stopPollMs: 100,
  };
  const server = startScaleOut({ ...common, bus: serverBus, role: 'server' });
  const worker = startScaleOut({ ...common, bus: workerBus, role: 'worker', concurrency: 16 });
  await Promise.all([serverBus.ready(), workerBus.ready(), worker.worker?.ready()]);
  const runtime: Runtime = {
    project,
    runs,
    bus: serverBus,
    executor: server.executor,
    checkChoices: choiceCheckFor(project),
    logger,
    async close() {
      await worker.close(5000);
      await server.close();
      await Promise.all([serverBus.close(), workerBus.close()]);
    },
  };
  return { runtime, worker, cleanup: () => runtime.close() };
}

export function bullmqRedisExecutor(): ExecutorUnderTest {
  return {
    name: 'bullmq on redis',
    async start(project, options = {}) {
      const prefix = uniqueRedisPrefix();
      const started = await startQueued(project, {
        backend: { kind: 'redis', url: REDIS_URL, prefix },
        busUrl: REDIS_URL,
        prefix,
        ...(options.logger ? { logger: options.logger } : {}),
      });
      return {
        ...started,
        async cleanup() {
          await started.cleanup();
          await deleteRedisPrefix(REDIS_URL, prefix);
        },
      };
    },
  };
}

/**
 * BullMQ's PostgreSQL backend: the queue in a schema of its own on the test server (events still
 * on Redis: the PostgreSQL event bus is not built yet).
 */
export function bullmqPostgresExecutor(): ExecutorUnderTest {
  return {
    name: 'bullmq on postgres',
    async start(project, options = {}) {
      const prefix = uniqueRedisPrefix();
      const schema = prefix.replace(/-/g, '_');
      const started = await startQueued(project, {
        backend: { kind: 'postgres', url: POSTGRES_URL, schema },
        busUrl: REDIS_URL,
        prefix,
        ...(options.logger ? { logger: options.logger } : {}),
      });
      return {
        ...started,
        async cleanup() {
          await started.cleanup();
          await deleteRedisPrefix(REDIS_URL, prefix);
          const client = new pg.Client({ connectionString: POSTGRES_URL });
          await client.connect();
          try {
            await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
          } finally {
            await client.end();
          }
        },
      };
    },
  };
}

/** Every executor the conformance suite covers, for a project on `database`. */
export function executorsUnderTest(
  database: 'sqlite' | 'postgres' = 'postgres',
): ExecutorUnderTest[] {
  return [
    inProcessExecutor,
    bullmqRedisExecutor(),
    // The queue on PostgreSQL goes with a project on PostgreSQL.
    ...(database === 'postgres' ? [bullmqPostgresExecutor()] : []),
  ];
}
