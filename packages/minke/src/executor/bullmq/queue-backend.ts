import { createPostgresBackend, Queue, Worker, withBackend } from 'bullmq';
import { Redis } from 'ioredis';
import type { BatchJobData, BatchJobOptions } from './batch-job.js';

/** Where BullMQ keeps the queue: Redis, or its PostgreSQL backend (on Minke's own database). */
export type QueueBackend =
  | { kind: 'redis'; url: string; password?: string | undefined; prefix: string }
  | { kind: 'postgres'; url: string; password?: string | undefined; schema: string };

/** The part of a BullMQ job the worker uses. */
export interface BatchJob {
  readonly id?: string | undefined;
  readonly data: BatchJobData;
  moveToWait(token?: string): Promise<number>;
}

/** The part of a BullMQ queue the executor uses. */
export interface BatchQueue {
  addBulk(jobs: { name: string; data: BatchJobData; opts: BatchJobOptions }[]): Promise<unknown>;
  getJobCounts(
    ...types: ('waiting' | 'active' | 'delayed' | 'prioritized' | 'failed')[]
  ): Promise<Record<string, number>>;
  /** Workers connected to the queue. */
  getWorkersCount(): Promise<number>;
  obliterate(options?: { force?: boolean }): Promise<void>;
  close(): Promise<void>;
  /** Calls `listener` each time the queue's connection is back after it was lost. */
  onReconnect(listener: () => void): void;
}

/** The part of a BullMQ worker the session worker uses. */
export interface BatchWorker {
  close(force?: boolean): Promise<void>;
  waitUntilReady(): Promise<unknown>;
}

export interface WorkerSettings {
  concurrency: number;
  /** BullMQ's own job lock; a job whose worker stops renewing it goes back to the queue. */
  lockDurationMs: number;
  stalledIntervalMs: number;
  onError: (error: Error) => void;
}

type Processor = (job: BatchJob, token?: string) => Promise<void>;

/** Opens the queue on the configured backend; `close` also ends connections it opened. */
export function openBatchQueue(
  backend: QueueBackend,
  name: string,
  onError: (error: Error) => void,
): BatchQueue {
  if (backend.kind === 'redis') {
    const connection = redisClient(backend);
    connection.on('error', onError);
    const queue = new Queue<BatchJobData>(name, { connection, prefix: backend.prefix });
    queue.on('error', onError);
    const batchQueue = withClose(queue as unknown as BatchQueue, () => connection.disconnect());
    let connections = 0;
    const reconnected = new Set<() => void>();
    connection.on('ready', () => {
      if (++connections > 1) for (const listener of reconnected) listener();
    });
    batchQueue.onReconnect = (listener) => void reconnected.add(listener);
    return batchQueue;
  }
  const queue = new (withBackend(createPostgresBackend).Queue)<BatchJobData>(name, {
    connection: postgresConnection(backend),
  });
  queue.on('error', onError);
  const batchQueue = queue as unknown as BatchQueue;
  // The PostgreSQL backend keeps its jobs in the database: nothing to bring back.
  batchQueue.onReconnect = () => undefined;
  return batchQueue;
}

/** Starts a worker on the configured backend; it takes jobs at once. */
export function openBatchWorker(
  backend: QueueBackend,
  name: string,
  processor: Processor,
  settings: WorkerSettings,
): BatchWorker {
  const options = {
    concurrency: settings.concurrency,
    lockDuration: settings.lockDurationMs,
    stalledInterval: settings.stalledIntervalMs,
    // A job put back by a lost worker is tried again, however often that happens.
    maxStalledCount: 1000,
  };
  const run = processor as unknown as ConstructorParameters<typeof Worker>[1];
  if (backend.kind === 'redis') {
    const connection = redisClient(backend);
    connection.on('error', settings.onError);
    const worker = new Worker(name, run, { ...options, connection, prefix: backend.prefix });
    worker.on('error', settings.onError);
    return withClose(worker as unknown as BatchWorker, () => connection.disconnect());
  }
  const worker = new (withBackend(createPostgresBackend).Worker)(name, run, {
    ...options,
    connection: postgresConnection(backend),
  });
  worker.on('error', settings.onError);
  return worker;
}

function redisClient(backend: Extract<QueueBackend, { kind: 'redis' }>): Redis {
  return new Redis(backend.url, {
    ...(backend.password === undefined ? {} : { password: backend.password }),
    // BullMQ's requirement for workers; for the queue it means adds wait for Redis to be back.
    maxRetriesPerRequest: null,
    retryStrategy: (times) => Math.min(200 * times, 2000),
  });
}

function postgresConnection(backend: Extract<QueueBackend, { kind: 'postgres' }>) {
  return {
    connectionString: backend.url,
    ...(backend.password === undefined ? {} : { password: backend.password }),
    schema: backend.schema,
    migrate: true,
    max: 5,
  };
}

function withClose<T extends { close(force?: boolean): Promise<void> }>(
  target: T,
  after: () => void,
): T {
  const close = target.close.bind(target);
  target.close = async (force?: boolean) => {
    try {
      await close(force);
    } finally {
      after();
    }
  };
  return target;
}
