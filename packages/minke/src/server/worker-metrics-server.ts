import Fastify, { type FastifyInstance } from 'fastify';
import { Gauge, Registry } from 'prom-client';
import { registerErrorHandler } from '../api/error-handler.js';
import type { Logger } from '../logger.js';
import { registerMetricsRoute } from './metrics-route.js';
import { enableDefaultMetrics, processMetrics } from '../metrics/process-metrics.js';

export interface WorkerMetricsOptions {
  port: number;
  /** Default 127.0.0.1: metrics of a worker are for the machine's own scraper unless opened up. */
  host?: string;
  token?: string | undefined;
  /** Sessions running in this worker now. */
  running: () => number;
  logger: Logger;
}

export interface WorkerMetricsServer {
  /** `http://host:port`. */
  readonly address: string;
  close(): Promise<void>;
}

/**
 * `/metrics` of a `minke worker`: its own counters (commands, SSH connect failures), the sessions
 * it runs now and Node's process gauges. The installation's gauges (queue depth, sessions by
 * state) are on the servers' `/metrics`, read from the database and the queue.
 *
 * @example
 *   const metrics = await startWorkerMetrics({ port: 9464, running: () => worker.running, logger });
 */
export async function startWorkerMetrics(
  options: WorkerMetricsOptions,
): Promise<WorkerMetricsServer> {
  enableDefaultMetrics();
  const own = new Registry();
  new Gauge({
    name: 'minke_worker_sessions_running',
    help: 'Sessions this worker runs now.',
    registers: [own],
    collect() {
      this.set(options.running());
    },
  });
  const app: FastifyInstance = Fastify({ logger: false });
  registerErrorHandler(app, options.logger);
  registerMetricsRoute(app, {
    registry: Registry.merge([processMetrics, own]),
    token: options.token,
  });
  const address = await app.listen({ host: options.host ?? '127.0.0.1', port: options.port });
  return { address, close: () => app.close() };
}
