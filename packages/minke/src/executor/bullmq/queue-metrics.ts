import { Gauge, Registry } from 'prom-client';
import type { Database } from '../../store/database.js';
import type { BatchQueue } from './queue-backend.js';

const sessionStates = ['initialized', 'running', 'stopping'] as const;
const jobStates = ['waiting', 'active', 'delayed', 'prioritized', 'failed'] as const;

/**
 * Gauges of the work in flight (`minke_*` series), read at each scrape: sessions waiting and
 * running (from the database: true for every executor), host leases held and run out, and with a
 * queue its jobs by state and the workers connected. Cheap enough to scrape every few seconds:
 * indexed counts of unfinished records only.
 *
 * @example
 *   const registry = queueMetrics(project.database, queue);
 *   reply.type(registry.contentType).send(await registry.metrics());
 */
export function queueMetrics(
  database: Database,
  queue?: BatchQueue | Promise<BatchQueue>,
  registry = new Registry(),
): Registry {
  const registers = [registry];
  new Gauge({
    name: 'minke_sessions',
    help: 'Session records not finished, by process state.',
    labelNames: ['state'] as const,
    registers,
    async collect() {
      const rows = await database.tables
        .selectFrom('minke_session_records')
        .select(['process_state', (eb) => eb.fn.countAll<number>().as('n')])
        .where('process_state', 'in', [...sessionStates])
        .groupBy('process_state')
        .execute();
      const counts = new Map(rows.map((row) => [row.process_state, Number(row.n)]));
      for (const state of sessionStates) this.set({ state }, counts.get(state) ?? 0);
    },
  });

  const leases = () => {
    const now = new Date().toISOString();
    return database.tables
      .selectFrom('minke_host_leases')
      .select([
        (eb) => eb.fn.countAll<number>().as('held'),
        (eb) =>
          eb.fn
            .sum<number>(eb.case().when('expires_at', '<', now).then(1).else(0).end())
            .as('expired'),
      ])
      .executeTakeFirst();
  };
  new Gauge({
    name: 'minke_host_leases',
    help: 'Hosts held by a lease (a process working on them).',
    registers,
    async collect() {
      this.set(Number((await leases())?.held ?? 0));
    },
  });
  new Gauge({
    name: 'minke_host_leases_expired',
    help: 'Leases run out and not yet reaped (a lost worker).',
    registers,
    async collect() {
      this.set(Number((await leases())?.expired ?? 0));
    },
  });

  if (queue) {
    new Gauge({
      name: 'minke_queue_jobs',
      help: 'Queued host batches, by state (queue depth: waiting).',
      labelNames: ['state'] as const,
      registers,
      async collect() {
        const jobs = await (await queue).getJobCounts(...jobStates);
        for (const state of jobStates) this.set({ state }, jobs[state] ?? 0);
      },
    });
    new Gauge({
      name: 'minke_queue_workers',
      help: 'Workers connected to the queue.',
      registers,
      async collect() {
        this.set(await (await queue).getWorkersCount());
      },
    });
  }
  return registry;
}
