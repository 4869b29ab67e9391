/**
 * Figures for the BullMQ executor (a bench, never asserted in tests): a run of `hosts` × `items`
 * sessions on local-transport hosts, drained by `workers` worker processes (or by the in-process
 * executor), timed from `startRun` to `run.finished`. With the `Noop` session what is measured is
 * the cost of running a session at all; the difference between the two executors is the queue's
 * overhead.
 *
 * @example
 *   const figures = await measureQueueDrain({ executor: 'bullmq', hosts: 1000, items: 1, workers: 2 });
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { RedisEventBus } from '../src/events/redis/redis-event-bus.js';
import { startScaleOut } from '../src/runtime/scale-out.js';
import { silentLogger } from '../src/logger.js';
import { startRun } from '../src/operations/start-run.js';
import { createRuntime } from '../src/runtime/runtime.js';
import { RunStore } from '../src/runs/run-store.js';
import { POSTGRES_URL } from './databases.js';
import { deleteRedisPrefix, REDIS_URL } from './redis.js';
import { runFinished } from './run-waiter.js';
import { addLocalItems, openFaultProject } from './worker-fixtures.js';
import { spawnWorker, type SpawnedWorker } from './worker-spawn.js';
import { choiceCheckFor } from '../src/choices/check-choices.js';

export interface QueueDrainOptions {
  executor: 'in-process' | 'bullmq';
  hosts: number;
  /** Sessions per host (run one after another on each host). */
  items: number;
  /** Worker processes (BullMQ only). */
  workers?: number;
  /** Hosts each worker works on at once. */
  concurrency?: number;
  /** `Noop` (default: nothing on the host) or `Nap` (a `sleep 0; echo` through a shell). */
  session?: 'Noop' | 'Nap';
}

export interface QueueDrainFigures extends Required<Omit<QueueDrainOptions, 'workers'>> {
  workers: number | null;
  sessions: number;
  seconds: number;
  sessionsPerSecond: number;
  msPerSession: number;
}

export async function measureQueueDrain(options: QueueDrainOptions): Promise<QueueDrainFigures> {
  const session = options.session ?? 'Noop';
  const concurrency = options.concurrency ?? 256;
  const schema = `bench_${randomBytes(5).toString('hex')}`;
  const prefix = `minke-bench-${randomBytes(5).toString('hex')}`;
  const database = { url: POSTGRES_URL, schema };
  const project = await openFaultProject(database, { migrate: true });
  const children: SpawnedWorker[] = [];
  try {
    await addLocalItems(project, options.hosts, options.items);
    let elapsedMs: number;
    if (options.executor === 'in-process') {
      const runtime = createRuntime(project, { quiet: true });
      try {
        const started = performance.now();
        const run = await startRun(runtime, { session, model: 'Item', all: true });
        await runFinished(runtime.bus, run.runId, 600_000);
        elapsedMs = performance.now() - started;
      } finally {
        await runtime.close();
      }
    } else {
      for (let i = 0; i < (options.workers ?? 1); i++) {
        children.push(
          await spawnWorker({
            database,
            redisUrl: REDIS_URL,
            prefix,
            leaseTtlMs: 60_000,
            concurrency,
          }),
        );
      }
      const bus = new RedisEventBus({ url: REDIS_URL, prefix, logger: silentLogger });
      await bus.ready();
      const runs = new RunStore(project.database);
      const client = startScaleOut({
        project,
        runs,
        bus,
        logger: silentLogger,
        role: 'client',
        backend: { kind: 'redis', url: REDIS_URL, prefix },
      });
      try {
        const started = performance.now();
        const run = await startRun(
          { project, runs, bus, executor: client.executor, checkChoices: choiceCheckFor(project) },
          { session, model: 'Item', all: true },
        );
        await runFinished(bus, run.runId, 600_000);
        elapsedMs = performance.now() - started;
      } finally {
        await client.close();
        await bus.close();
      }
    }
    const sessions = options.hosts * options.items;
    return {
      executor: options.executor,
      hosts: options.hosts,
      items: options.items,
      workers: options.executor === 'bullmq' ? (options.workers ?? 1) : null,
      concurrency,
      session,
      sessions,
      seconds: elapsedMs / 1000,
      sessionsPerSecond: sessions / (elapsedMs / 1000),
      msPerSession: elapsedMs / sessions,
    };
  } finally {
    for (const child of children) await child.stop();
    await project.close();
    await deleteRedisPrefix(REDIS_URL, prefix);
    const client = new pg.Client({ connectionString: POSTGRES_URL });
    await client.connect();
    try {
      await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    } finally {
      await client.end();
    }
  }
}
