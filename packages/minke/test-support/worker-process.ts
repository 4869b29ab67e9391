/**
 * A worker in a process of its own, for fault tests (a test kills it with SIGKILL). Reads its
 * settings as JSON from MINKE_TEST_WORKER, says `ready <owner>` on stdout once it takes work,
 * and stops on SIGTERM.
 */
import { RedisEventBus } from '../src/events/redis/redis-event-bus.js';
import type { QueueBackend } from '../src/executor/bullmq/queue-backend.js';
import { createLogger } from '../src/logger.js';
import { serveAsWorker } from './serve-as-worker.js';
import { openFaultProject, type FaultDatabase } from './worker-fixtures.js';

export interface WorkerProcessSettings {
  database: FaultDatabase;
  /** The event bus's Redis (and the queue's, unless `queue` says otherwise). */
  redisUrl: string;
  prefix: string;
  queue?: QueueBackend;
  leaseTtlMs: number;
  concurrency: number;
}

const settings = JSON.parse(process.env['MINKE_TEST_WORKER'] ?? '{}') as WorkerProcessSettings;
const logger = createLogger({ level: process.env['MINKE_LOG_LEVEL'] ?? 'warn' });
const project = await openFaultProject(settings.database);
await serveAsWorker({
  project,
  bus: new RedisEventBus({ url: settings.redisUrl, prefix: settings.prefix, logger }),
  logger,
  backend: settings.queue ?? { kind: 'redis', url: settings.redisUrl, prefix: settings.prefix },
  leaseTtlMs: settings.leaseTtlMs,
  concurrency: settings.concurrency,
  stopPollMs: 100,
  graceMs: 5000,
});
