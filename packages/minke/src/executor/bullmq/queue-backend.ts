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
  /**
   * Resolves once the queue answers; rejects with the reason when it does not within
   * `timeoutMs`. Resolves at once, without waiting, when `signal` is aborted.
   */
  whenAvailable(timeoutMs: number, signal?: AbortSignal): Promise<void>;
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
    let lastError: Error | undefined;
    connection.on('error', (error: Error) => {
      lastError = error;
      onError(error);
    });
    const queue = new Queue<BatchJobData>(name, { connection, prefix: backend.prefix });
    queue.on('error', onError);
    const batchQueue = withClose(queue as unknown as BatchQueue, connection);
    let connections = 0;
    const reconnected = new Set<() => void>();
    connection.on('ready', () => {
      if (++connections > 1) for (const listener of reconnected) listener();
    });
    batchQueue.onReconnect = (listener) => void reconnected.add(listener);
    batchQueue.whenAvailable = (timeoutMs, signal) =>
      connection.status === 'ready'
        ? Promise.resolve()
        : within(
            new Promise<void>((resolve) => connection.once('ready', () => resolve())),
            timeoutMs,
            signal,
            () =>
              `Redis did not answer within ${timeoutMs / 1000} s${lastError ? ` (${lastError.message})` : ''}`,
          );
    return batchQueue;
  }
  const queue = new (withBackend(createPostgresBackend).Queue)<BatchJobData>(name, {
    connection: postgresConnection(backend),
  });
  queue.on('error', onError);
  const batchQueue = queue as unknown as BatchQueue;
  // The PostgreSQL backend keeps its jobs in the database: nothing to bring back.
  batchQueue.onReconnect = () => undefined;
  batchQueue.whenAvailable = (timeoutMs, signal) =>
    within(
      queue.waitUntilReady().then(() => undefined),
      timeoutMs,
      signal,
      () => `the PostgreSQL queue did not answer within ${timeoutMs / 1000} s`,
    );
  return batchQueue;
}

/** `work`, or a rejection with `reason()` after `timeoutMs`; an abort resolves at once. */
function within(
  work: Promise<void>,
  timeoutMs: number,
  signal: AbortSignal | undefined,
  reason: () => string,
): Promise<void> {
  if (signal?.aborted) return Promise.resolve();
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  const deadline = new Promise<void>((resolve, reject) => {
    timer = setTimeout(() => reject(new Error(reason())), timeoutMs);
    onAbort = () => resolve();
    signal?.addEventListener('abort', onAbort, { once: true });
  });
  return Promise.race([work, deadline]).finally(() => {
    clearTimeout(timer);
    if (onAbort) signal?.removeEventListener('abort', onAbort);
  });
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
    return withClose(worker as unknown as BatchWorker, connection);
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

/**
 * `close` that also ends the connection. With Redis unreachable, BullMQ's own close waits for a
 * connection that never comes: then it gets a moment, not forever, so that a server or worker
 * still shuts down.
 */
function withClose<T extends { close(force?: boolean): Promise<void> }>(
  target: T,
  connection: Redis,
): T {
  const close = target.close.bind(target);
  target.close = async (force?: boolean) => {
    let timer: NodeJS.Timeout | undefined;
    try {
      if (connection.status === 'ready') await close(force);
      else {
        const ended = Promise.allSettled([close(true), forceDisconnect(target)]);
        await Promise.race([ended, new Promise((resolve) => (timer = setTimeout(resolve, 2000)))]);
      }
    } finally {
      clearTimeout(timer);
      connection.disconnect();
    }
  };
  return target;
}

/** BullMQ's `disconnect` drops the connections it made itself (a worker's blocking one). */
async function forceDisconnect(target: object): Promise<void> {
  const disconnect = (target as { disconnect?: () => Promise<void> }).disconnect;
  if (typeof disconnect === 'function') await disconnect.call(target);
}
