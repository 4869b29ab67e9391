import type { Database } from '../../store/database.js';
import type { BatchQueue } from './queue-backend.js';

const sessionStates = ['initialized', 'running', 'stopping'] as const;
const jobStates = ['waiting', 'active', 'delayed', 'prioritized', 'failed'] as const;

/**
 * Gauges of the work in flight, as Prometheus text (`minke_*` series): sessions waiting and
 * running (from the database: true for every executor), host leases held and run out, and with a
 * queue its jobs by state and the workers connected. Cheap enough to scrape every few seconds:
 * indexed counts of unfinished records only.
 *
 * @example
 *   app.get('/metrics', async (_req, reply) =>
 *     reply.type('text/plain; version=0.0.4').send(await renderQueueMetrics(project.database, queue)));
 */
export async function renderQueueMetrics(database: Database, queue?: BatchQueue): Promise<string> {
  const lines: string[] = [];
  const gauge = (name: string, help: string, samples: [Record<string, string>, number][]) => {
    lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} gauge`);
    for (const [labels, value] of samples) {
      const text = Object.entries(labels)
        .map(([key, label]) => `${key}="${label}"`)
        .join(',');
      lines.push(`${name}${text ? `{${text}}` : ''} ${value}`);
    }
  };

  const rows = (await database.db
    .selectFrom('minke_session_records')
    .select(['process_state', (eb) => eb.fn.countAll<number>().as('n')])
    .where('process_state', 'in', [...sessionStates])
    .groupBy('process_state')
    .execute()) as { process_state: string; n: unknown }[];
  const counts = new Map(rows.map((row) => [row.process_state, Number(row.n)]));
  gauge(
    'minke_sessions',
    'Session records not finished, by process state.',
    sessionStates.map((state) => [{ state }, counts.get(state) ?? 0]),
  );

  const now = database.adapter.encodeDate(new Date());
  const leases = await database.db
    .selectFrom('minke_host_leases')
    .select([
      (eb) => eb.fn.countAll<number>().as('held'),
      (eb) =>
        eb.fn
          .sum<number>(eb.case().when('expires_at', '<', now).then(1).else(0).end())
          .as('expired'),
    ])
    .executeTakeFirst();
  gauge('minke_host_leases', 'Hosts held by a lease (a process working on them).', [
    [{}, Number(leases?.held ?? 0)],
  ]);
  gauge('minke_host_leases_expired', 'Leases run out and not yet reaped (a lost worker).', [
    [{}, Number(leases?.expired ?? 0)],
  ]);

  if (queue) {
    const jobs = await queue.getJobCounts(...jobStates);
    gauge(
      'minke_queue_jobs',
      'Queued host batches, by state.',
      jobStates.map((state) => [{ state }, jobs[state] ?? 0]),
    );
    gauge('minke_queue_workers', 'Workers connected to the queue.', [
      [{}, await queue.getWorkersCount()],
    ]);
  }
  return `${lines.join('\n')}\n`;
}
