import { afterEach, describe, expect, it } from 'vitest';
import { deleteRedisPrefix, REDIS_URL, uniqueRedisPrefix } from '../../../test-support/redis.js';
import { addLocalItems, openFaultProject } from '../../../test-support/worker-fixtures.js';
import { MemoryEventBus } from '../../events/memory-event-bus.js';
import { silentLogger } from '../../logger.js';
import { startRun } from '../../operations/start-run.js';
import { RunStore } from '../../runs/run-store.js';
import { HostLeases } from '../host-lease.js';
import { queueMetrics } from './queue-metrics.js';
import { startScaleOut } from '../../runtime/scale-out.js';
import { choiceCheckFor } from '../../choices/check-choices.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});

describe('queue metrics', () => {
  it('counts waiting sessions, queued batches, workers and leases as Prometheus gauges', async () => {
    const prefix = uniqueRedisPrefix();
    cleanups.push(() => deleteRedisPrefix(REDIS_URL, prefix));
    const project = await openFaultProject({ url: 'sqlite::memory:' }, { migrate: true });
    cleanups.push(() => project.close());
    await addLocalItems(project, 3, 2);
    const runs = new RunStore(project.database);
    const bus = new MemoryEventBus();
    const client = startScaleOut({
      project,
      runs,
      bus,
      logger: silentLogger,
      role: 'client',
      backend: { kind: 'redis', url: REDIS_URL, prefix },
    });
    cleanups.push(() => client.close());
    await startRun(
      { project, runs, bus, executor: client.executor, checkChoices: choiceCheckFor(project) },
      { session: 'Noop', model: 'Item', all: true },
    );
    const hostId = (await project.hosts.get('h1')).id;
    const leases = new HostLeases(project.database, -1000);
    await leases.acquire(hostId, 'gone', 1);

    // A prom-client registry whose gauges read the database and the queue at each scrape.
    const registry = queueMetrics(project.database, client.executor.queue);
    expect(registry.contentType).toContain('text/plain');
    let text = '';
    for (let i = 0; i < 50 && !text.includes('minke_queue_jobs{state="waiting"} 3'); i++) {
      text = await registry.metrics();
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(text).toContain('# TYPE minke_sessions gauge\n');
    expect(text).toContain('minke_sessions{state="initialized"} 6\n');
    expect(text).toContain('minke_sessions{state="running"} 0\n');
    expect(text).toContain('minke_queue_jobs{state="waiting"} 3\n');
    expect(text).toContain('minke_queue_workers 0\n');
    expect(text).toContain('minke_host_leases 1\n');
    expect(text).toContain('minke_host_leases_expired 1\n');
    expect(await queueMetrics(project.database).metrics()).not.toContain('minke_queue_jobs');
    // Read again at the next scrape: a session that started shows as running.
    const first = await project.database.db
      .selectFrom('minke_session_records')
      .select('id')
      .orderBy('id')
      .executeTakeFirstOrThrow();
    await project.database.db
      .updateTable('minke_session_records')
      .set({ process_state: 'running' })
      .where('id', '=', first.id)
      .execute();
    const later = await registry.metrics();
    expect(later).toContain('minke_sessions{state="initialized"} 5\n');
    expect(later).toContain('minke_sessions{state="running"} 1\n');
  });
});
