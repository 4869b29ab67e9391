import { Gauge, Registry } from 'prom-client';
import { queueMetrics } from '../executor/bullmq/queue-metrics.js';
import type { BatchQueue } from '../executor/bullmq/queue-backend.js';
import type { Database } from '../store/database.js';
import { enableDefaultMetrics, processMetrics } from '../metrics/process-metrics.js';

const runStates = ['running', 'finished'] as const;

export interface ServerMetricsOptions {
  database: Database;
  /** The BullMQ queue, when the executor is BullMQ (queue depth and workers). */
  queue?: BatchQueue | Promise<BatchQueue> | undefined;
}

/**
 * Everything `/metrics` shows on a server: this process's counters (`processMetrics`), and gauges
 * read from the database and the queue at each scrape (sessions and runs by state, leases, queue
 * depth, agents online). The gauges describe the whole installation, so every server shows the
 * same values; the counters are per process (sum them across servers and workers).
 */
export function serverMetrics(options: ServerMetricsOptions): Registry {
  const { database } = options;
  enableDefaultMetrics();
  const state = queueMetrics(database, options.queue);
  new Gauge({
    name: 'minke_runs',
    help: 'Runs, by state.',
    labelNames: ['state'] as const,
    registers: [state],
    async collect() {
      const rows = await database.tables
        .selectFrom('minke_runs')
        .select(['state', (eb) => eb.fn.countAll<number | string>().as('n')])
        .groupBy('state')
        .execute();
      const counts = new Map(rows.map((row) => [row.state, Number(row.n)]));
      for (const runState of runStates) this.set({ state: runState }, counts.get(runState) ?? 0);
    },
  });
  new Gauge({
    name: 'minke_agents_online',
    help: 'Agents whose presence says they are online.',
    registers: [state],
    async collect() {
      const row = await database.tables
        .selectFrom('minke_agents')
        .select((eb) => eb.fn.countAll<number | string>().as('n'))
        .where('online', '=', true)
        .executeTakeFirst();
      this.set(Number(row?.n ?? 0));
    },
  });
  return Registry.merge([processMetrics, state]);
}
