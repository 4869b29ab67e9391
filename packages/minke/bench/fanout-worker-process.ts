// One `minke worker` of the fan-out benchmark's `--workers` side, in a process of its own: opens
// the bench project's database, takes sessions from the BullMQ queue, and counts the sessions it
// finished. Settings come as JSON in MINKE_BENCH_WORKER; it says `ready <owner>` on stdout once
// it takes work, and `finished <count>` when SIGTERM stopped it.
import { RedisEventBus } from '../src/events/redis/redis-event-bus.js';
import type { RunEvent } from '../src/events/run-events.js';
import { createLogger } from '../src/logger.js';
import { serveAsWorker } from '../test-support/serve-as-worker.js';
import { openBenchDatabase, type BenchDatabase } from './fanout-minke.js';

export interface BenchWorkerSettings {
  database: BenchDatabase;
  redisUrl: string;
  prefix: string;
  /** Hosts this worker works on at once. */
  concurrency: number;
}

/** The event bus, counting the sessions this process finished (the per-worker figure). */
class CountingBus extends RedisEventBus {
  finished = 0;

  override publish(event: RunEvent): void {
    if (event.type === 'session.finished') this.finished++;
    super.publish(event);
  }
}

const settings = JSON.parse(process.env['MINKE_BENCH_WORKER'] ?? '{}') as BenchWorkerSettings;
const logger = createLogger({ level: process.env['MINKE_LOG_LEVEL'] ?? 'warn' });
const project = await openBenchDatabase(settings.database, settings.concurrency, false);
const bus = new CountingBus({ url: settings.redisUrl, prefix: settings.prefix, logger });
await serveAsWorker({
  project,
  bus,
  logger,
  backend: { kind: 'redis', url: settings.redisUrl, prefix: settings.prefix },
  concurrency: settings.concurrency,
  graceMs: 5000,
  afterClose: () => process.stdout.write(`finished ${bus.finished}\n`),
});
