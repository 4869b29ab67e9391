import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { POSTGRES_URL } from '../../test-support/databases.js';
import { deleteRedisPrefix, REDIS_URL, uniqueRedisPrefix } from '../../test-support/redis.js';
import { runFinished } from '../../test-support/run-waiter.js';
import { addLocalItems, openFaultProject } from '../../test-support/worker-fixtures.js';
import { startRun } from '../operations/start-run.js';
import { createRuntime } from './runtime.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});

async function queuedProject(prefix: string) {
  cleanups.push(() => deleteRedisPrefix(REDIS_URL, prefix));
  const project = await openFaultProject(
    { url: 'sqlite::memory:' },
    { migrate: true, executor: { redisUrl: REDIS_URL, queuePrefix: prefix } },
  );
  cleanups.push(() => project.close());
  await addLocalItems(project, 2, 2);
  return project;
}

describe('createRuntime with the BullMQ executor', { timeout: 60_000 }, () => {
  it('queues and runs here by default (minke start: everything in one process)', async () => {
    const project = await queuedProject(uniqueRedisPrefix());
    expect(project.config.executor.kind).toBe('bullmq');
    const runtime = createRuntime(project, { quiet: true });
    cleanups.push(() => runtime.close());
    await runtime.bus.ready();
    const run = await startRun(runtime, { session: 'Nap', model: 'Item', all: true });
    const events = await runFinished(runtime.bus, run.runId);
    expect(events.at(-1)).toMatchObject({ type: 'run.finished', summary: { success: 4 } });
    await runtime.executor.idle();
  });

  it('only queues as a client: the run waits for a worker', async () => {
    const project = await queuedProject(uniqueRedisPrefix());
    const client = createRuntime(project, { quiet: true, role: 'client' });
    cleanups.push(() => client.close());
    await client.bus.ready();
    const run = await startRun(client, { session: 'Nap', model: 'Item', all: true });
    await new Promise((resolve) => setTimeout(resolve, 500));
    const states = await project.database.db
      .selectFrom('minke_session_records')
      .select('process_state')
      .where('run_id', '=', run.runId)
      .execute();
    expect(states.map((row) => String(row.process_state))).toEqual(Array(4).fill('initialized'));
    // A process that works on the queue picks it up.
    const worker = createRuntime(project, { quiet: true, role: 'all' });
    cleanups.push(() => worker.close());
    const events = await runFinished(client.bus, run.runId);
    expect(events.at(-1)).toMatchObject({ type: 'run.finished', summary: { success: 4 } });
  });

  it('runs on PostgreSQL alone: the queue and the events (LISTEN/NOTIFY) in the database', async () => {
    const schema = `runtime_${randomBytes(5).toString('hex')}`;
    const queuePrefix = `q${randomBytes(5).toString('hex')}`;
    cleanups.push(async () => {
      const client = new pg.Client({ connectionString: POSTGRES_URL });
      await client.connect();
      await client
        .query(
          `DROP SCHEMA IF EXISTS ${schema} CASCADE; DROP SCHEMA IF EXISTS ${queuePrefix}_queue CASCADE`,
        )
        .finally(() => client.end());
    });
    const project = await openFaultProject(
      { url: POSTGRES_URL, schema },
      { migrate: true, executor: { kind: 'bullmq', queuePrefix } },
    );
    cleanups.push(() => project.close());
    expect(project.config.eventBus).toBe('postgres');
    await addLocalItems(project, 2, 2);
    const runtime = createRuntime(project, { quiet: true });
    cleanups.push(() => runtime.close());
    await runtime.bus.ready();
    const run = await startRun(runtime, { session: 'Nap', model: 'Item', all: true });
    const events = await runFinished(runtime.bus, run.runId);
    expect(events.at(-1)).toMatchObject({ type: 'run.finished', summary: { success: 4 } });
    await runtime.executor.idle();
  });
});
