import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { POSTGRES_URL } from '../../../test-support/databases.js';
import {
  postgresClusterUnavailableReason,
  startPostgresCluster,
  type PostgresCluster,
} from '../../../test-support/postgres-cluster.js';
import {
  deleteRedisPrefix,
  REDIS_URL,
  startPrivateRedis,
  uniqueRedisPrefix,
  type PrivateRedis,
} from '../../../test-support/redis.js';
import { eventSeen, runFinished } from '../../../test-support/run-waiter.js';
import {
  addLocalItems,
  openFaultProject,
  type FaultDatabase,
} from '../../../test-support/worker-fixtures.js';
import { spawnWorker, type SpawnedWorker } from '../../../test-support/worker-spawn.js';
import { RedisEventBus } from '../../events/redis/redis-event-bus.js';
import type { DeliveredEvent } from '../../events/run-events.js';
import { silentLogger } from '../../logger.js';
import { startRun } from '../../operations/start-run.js';
import type { OpenedProject } from '../../runtime/open-project.js';
import { SessionHistory, type SessionRecordDetail } from '../../runs/history.js';
import { RunStore } from '../../runs/run-store.js';
import type { QueueBackend } from './queue-backend.js';
import { startScaleOut, type ScaleOut } from '../../runtime/scale-out.js';
import { choiceCheckFor } from '../../choices/check-choices.js';

const pgUnavailable = await postgresClusterUnavailableReason();
const tmp = mkdtempSync(join(tmpdir(), 'minke-faults-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Everything a test starts, stopped in reverse order whatever happened. */
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});

interface Setup {
  project: OpenedProject;
  database: FaultDatabase;
  redisUrl: string;
  prefix: string;
  queue: QueueBackend;
  bus: RedisEventBus;
  server: ScaleOut;
  items: Record<string, number>;
}

/** A project on `database`, a server side (queue, reaper, requeuer) and its event bus. */
async function setUp(
  database: FaultDatabase,
  redisUrl: string,
  options: {
    leaseTtlMs: number;
    hosts: number;
    items: number;
    requeueIntervalMs?: number;
    queue?: (prefix: string) => QueueBackend;
  },
): Promise<Setup> {
  const prefix = uniqueRedisPrefix();
  cleanups.push(() => deleteRedisPrefix(redisUrl, prefix));
  const queue = options.queue?.(prefix) ?? { kind: 'redis', url: redisUrl, prefix };
  if (queue.kind === 'postgres') cleanups.push(() => dropSchema(queue.schema));
  const project = await openFaultProject(database, { migrate: true });
  cleanups.push(() => project.close());
  const items = await addLocalItems(project, options.hosts, options.items);
  const bus = new RedisEventBus({ url: redisUrl, prefix, logger: silentLogger });
  cleanups.push(() => bus.close());
  await bus.ready();
  const server = startScaleOut({
    project,
    runs: new RunStore(project.database),
    bus,
    logger: silentLogger,
    role: 'server',
    backend: queue,
    leaseTtlMs: options.leaseTtlMs,
    requeueIntervalMs: options.requeueIntervalMs ?? 500,
    requeueMinAgeMs: 200,
  });
  cleanups.push(() => server.close());
  return { project, database, redisUrl, prefix, queue, bus, server, items };
}

/** A worker in this process, with its own bus connection. */
async function inProcessWorker(
  setup: Setup,
  {
    leaseTtlMs,
    concurrency = 4,
    requeueIntervalMs = 500,
  }: { leaseTtlMs: number; concurrency?: number; requeueIntervalMs?: number },
): Promise<ScaleOut> {
  const bus = new RedisEventBus({
    url: setup.redisUrl,
    prefix: setup.prefix,
    logger: silentLogger,
  });
  cleanups.push(() => bus.close());
  const worker = startScaleOut({
    project: setup.project,
    runs: new RunStore(setup.project.database),
    bus,
    logger: silentLogger,
    role: 'worker',
    backend: setup.queue,
    leaseTtlMs,
    concurrency,
    stopPollMs: 100,
    requeueIntervalMs,
    requeueMinAgeMs: 200,
  });
  cleanups.push(() => worker.close(5000));
  await Promise.all([bus.ready(), worker.worker?.ready()]);
  return worker;
}

async function start(
  setup: Setup,
  session: string,
  data?: Record<string, unknown>,
  timeoutMs?: number,
) {
  return startRun(
    {
      project: setup.project,
      runs: new RunStore(setup.project.database),
      bus: setup.bus,
      executor: setup.server.executor,
      checkChoices: choiceCheckFor(setup.project),
    },
    { session, model: 'Item', all: true, ...(data ? { data } : {}), timeoutMs },
  );
}

async function recordsOf(setup: Setup, runId: number): Promise<Map<string, SessionRecordDetail>> {
  const history = new SessionHistory(setup.project.database);
  const page = await history.list({ runId, limit: 100 });
  const details = await Promise.all(page.items.map((item) => history.get(item.id)));
  return new Map(details.map((detail) => [detail.objectLabel.split(' ')[0] ?? '', detail]));
}

function finishedEvent(events: DeliveredEvent[], recordId: number) {
  return events.find((e) => e.type === 'session.finished' && e.recordId === recordId);
}

/** A fresh PostgreSQL schema on the test server, dropped afterwards. */
function postgresSchema(): FaultDatabase {
  const schema = `fault_${randomBytes(5).toString('hex')}`;
  cleanups.push(() => dropSchema(schema));
  return { url: POSTGRES_URL, schema };
}

async function dropSchema(schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: POSTGRES_URL });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  } finally {
    await client.end();
  }
}

const killCases: {
  name: string;
  database: () => Promise<FaultDatabase>;
  queue?: (prefix: string) => QueueBackend;
}[] = [
  {
    name: 'SQLite, queue on Redis',
    database: () =>
      Promise.resolve({ url: `sqlite:${join(tmp, `kill-${randomBytes(3).toString('hex')}.db`)}` }),
  },
  { name: 'PostgreSQL, queue on Redis', database: () => Promise.resolve(postgresSchema()) },
  {
    name: 'PostgreSQL, queue on PostgreSQL',
    database: () => Promise.resolve(postgresSchema()),
    queue: (prefix) => ({ kind: 'postgres', url: POSTGRES_URL, schema: prefix.replace(/-/g, '_') }),
  },
];

describe('BullMQ executor faults', { timeout: 120_000 }, () => {
  it.each(killCases)(
    'ends the session of a worker killed with -9 as "worker lost", and another worker runs the rest of its hosts ($name)',
    async ({ database: makeDatabase, queue }) => {
      const leaseTtlMs = 2000;
      const database = await makeDatabase();
      const setup = await setUp(database, REDIS_URL, {
        leaseTtlMs,
        hosts: 2,
        items: 3,
        ...(queue ? { queue } : {}),
      });
      const doomed: SpawnedWorker = await spawnWorker({
        database,
        redisUrl: REDIS_URL,
        prefix: setup.prefix,
        queue: setup.queue,
        leaseTtlMs,
        concurrency: 4,
      });
      cleanups.push(() => doomed.kill9());
      const run = await start(setup, 'FirstNaps');
      const first = (name: string) => setup.items[name] as number;
      const recordOf = (name: string) =>
        run.records.find((r) => r.objectId === first(name))?.recordId as number;
      for (const name of ['h1-1', 'h2-1']) {
        await eventSeen(
          setup.bus,
          run.runId,
          (e) => e.type === 'command.started' && e.recordId === recordOf(name),
        );
      }
      // The survivor is up before the crash; the doomed worker holds both hosts.
      await inProcessWorker(setup, { leaseTtlMs });
      await doomed.kill9();

      const events = await runFinished(setup.bus, run.runId, 60_000);
      const records = await recordsOf(setup, run.runId);
      for (const name of ['h1-1', 'h2-1']) {
        const lost = records.get(name);
        expect(lost).toMatchObject({ processState: 'failed', result: 'error' });
        // The lease reaper or the survivor taking the stalled job over, whichever comes first.
        expect(lost?.messages.at(-1)?.text).toMatch(
          /^worker lost: (its lease on host h\d ran out at |the worker running it stopped)/,
        );
        expect(finishedEvent(events, recordOf(name))).toMatchObject({
          processState: 'failed',
          result: 'error',
        });
      }
      // Not before the lease ran out: a session the reaper ended, ended after the expiry its
      // message names (the survivor's message names none).
      const lostAt = events.find(
        (e) => e.type === 'session.finished' && e.recordId === recordOf('h1-1'),
      )?.at;
      const expiry = /ran out at (\S+)$/.exec(records.get('h1-1')?.messages.at(-1)?.text ?? '');
      if (expiry?.[1])
        expect(Date.parse(lostAt ?? '')).toBeGreaterThanOrEqual(Date.parse(expiry[1]));
      for (const name of ['h1-2', 'h1-3', 'h2-2', 'h2-3']) {
        const record = records.get(name);
        expect(record).toMatchObject({ processState: 'completed', result: 'success' });
        expect(record?.commands[0]?.stdout).toBe(`done ${name}\n`);
      }
      const summary = events.find((e) => e.type === 'run.finished');
      expect(summary).toMatchObject({ summary: { success: 4, error: 2 } });
      const leases = await setup.project.database.db
        .selectFrom('minke_host_leases')
        .selectAll()
        .execute();
      expect(leases).toEqual([]);
    },
  );

  it('loses nothing queued when Redis restarts without its data', async () => {
    const redis: PrivateRedis = await startPrivateRedis();
    cleanups.push(() => redis.dispose());
    const database = { url: `sqlite:${join(tmp, 'redis-restart.db')}` };
    // No timed requeue pass within the test: what the queue lost comes back because its
    // connection came back.
    const slow = { requeueIntervalMs: 600_000 };
    const setup = await setUp(database, redis.url, {
      leaseTtlMs: 10_000,
      hosts: 3,
      items: 2,
      ...slow,
    });
    // One host's batch is running when Redis goes; the other two wait in the queue.
    const worker = await inProcessWorker(setup, { leaseTtlMs: 10_000, concurrency: 1, ...slow });
    const run = await start(setup, 'Nap', { seconds: 1 });
    await eventSeen(setup.bus, run.runId, (e) => e.type === 'command.started');
    expect(await setup.server.executor.queue.getJobCounts('waiting')).toMatchObject({ waiting: 2 });
    await redis.stop();
    await redis.start();
    const events = await runFinished(setup.bus, run.runId, 90_000);
    const records = await recordsOf(setup, run.runId);
    expect([...records.values()].map((r) => [r.processState, r.result])).toEqual(
      Array(6).fill(['completed', 'success']),
    );
    for (const [name, record] of records) expect(record.commands[0]?.stdout).toBe(`done ${name}\n`);
    expect(events.at(-1)).toMatchObject({ type: 'run.finished', summary: { success: 6 } });
    expect(worker.worker?.running).toBe(0);
  });

  it('ends, with the reason, the sessions of a batch queued again without its secret values (a time limit comes back)', async () => {
    const redis: PrivateRedis = await startPrivateRedis();
    cleanups.push(() => redis.dispose());
    const database = { url: `sqlite:${join(tmp, 'secret-lost.db')}` };
    const slow = { requeueIntervalMs: 600_000 };
    const setup = await setUp(database, redis.url, {
      leaseTtlMs: 10_000,
      hosts: 2,
      items: 1,
      ...slow,
    });
    // Both runs wait in the queue (no worker yet); the first one's token travels sealed in its jobs.
    const secret = await start(setup, 'UseToken', { token: 'a token of 23 characters' });
    // Its time limit is kept with the run: the batches queued again from it have it too.
    const plain = await start(setup, 'Nap', { seconds: 30 }, 1000);
    // The executor seals and queues after the run is started: wait (bounded) for the 4 batches.
    let waiting = 0;
    for (let i = 0; i < 100 && waiting < 4; i++) {
      if (i > 0) await new Promise((resolve) => setTimeout(resolve, 50));
      waiting = (await setup.server.executor.queue.getJobCounts('waiting')).waiting ?? 0;
    }
    expect(waiting).toBe(4);
    const stored = await setup.project.database.tables
      .selectFrom('minke_runs')
      .select(['id', 'data', 'has_secret_values', 'timeout_ms'])
      .orderBy('id')
      .execute();
    expect(stored).toEqual([
      { id: secret.runId, data: {}, has_secret_values: true, timeout_ms: null },
      { id: plain.runId, data: { seconds: 30 }, has_secret_values: false, timeout_ms: 1000 },
    ]);
    // Redis comes back empty; the requeuer queues both runs' batches again from the database.
    await redis.stop();
    await redis.start();
    await inProcessWorker(setup, { leaseTtlMs: 10_000, ...slow });
    const secretEvents = await runFinished(setup.bus, secret.runId, 60_000);
    const plainEvents = await runFinished(setup.bus, plain.runId, 60_000);
    expect(secretEvents.at(-1)).toMatchObject({ type: 'run.finished', summary: { error: 2 } });
    expect(plainEvents.at(-1)).toMatchObject({ type: 'run.finished', summary: { error: 2 } });
    for (const record of (await recordsOf(setup, secret.runId)).values()) {
      expect([record.processState, record.result, record.commands]).toEqual([
        'failed',
        'error',
        [],
      ]);
      expect(record.messages.map((m) => m.text)).toEqual([
        `run ${secret.runId} lost its secret values with its queued job (they are kept nowhere else): not run without them; run it again`,
      ]);
    }
    // The other run ran, from the database alone, until its time limit stopped it.
    for (const record of (await recordsOf(setup, plain.runId)).values()) {
      expect([record.processState, record.result]).toEqual(['failed', 'error']);
      expect(record.commands.map((c) => c.command)).toEqual([
        expect.stringMatching(/^sleep 30; echo "done h\d-1" # minke-fault-nap$/) as unknown,
      ]);
      expect(record.messages.at(-1)?.text).toBe(
        "timed out: the run's limit is 1 s; it was stopped and its running command killed",
      );
    }
  });

  it('loses nothing when the server that queued a run goes away before the queue got it', async () => {
    const redis: PrivateRedis = await startPrivateRedis();
    cleanups.push(() => redis.dispose());
    const database = { url: `sqlite:${join(tmp, 'server-gone.db')}` };
    const setup = await setUp(database, redis.url, { leaseTtlMs: 10_000, hosts: 2, items: 2 });
    await redis.stop();
    // The records are written; the jobs wait in the client's buffer, and die with the server.
    const run = await start(setup, 'Nap', { seconds: 0 });
    // close() gives up on the unreachable queue (a hang would hit the test's time-out)
    await setup.server.close();
    await redis.start();
    const watcher = new RedisEventBus({
      url: redis.url,
      prefix: setup.prefix,
      logger: silentLogger,
    });
    cleanups.push(() => watcher.close());
    await watcher.ready();
    await inProcessWorker(setup, { leaseTtlMs: 10_000 });
    const events = await runFinished(watcher, run.runId, 60_000);
    expect(events.at(-1)).toMatchObject({ type: 'run.finished', summary: { success: 4 } });
    const records = await recordsOf(setup, run.runId);
    for (const [name, record] of records) expect(record.commands[0]?.stdout).toBe(`done ${name}\n`);
  });

  // A private cluster (initdb in a temp folder), so the machine's server keeps running.
  it.skipIf(pgUnavailable !== undefined)(
    'finishes a run whose database restarts in the middle of it',
    async () => {
      const cluster: PostgresCluster = await startPostgresCluster();
      cleanups.push(() => cluster.dispose());
      const database = { url: cluster.url, schema: 'fault_restart' };
      const setup = await setUp(database, REDIS_URL, { leaseTtlMs: 20_000, hosts: 3, items: 3 });
      await inProcessWorker(setup, { leaseTtlMs: 20_000 });
      const run = await start(setup, 'Nap', { seconds: 2 });
      // Every host is in its first session's sleep when the database goes away.
      const seen = new Set<number>();
      await eventSeen(setup.bus, run.runId, (e) => {
        if (e.type === 'command.started') seen.add(e.recordId);
        return seen.size === 3;
      });
      await cluster.restart();
      const events = await runFinished(setup.bus, run.runId, 90_000);
      const records = await recordsOf(setup, run.runId);
      expect([...records.values()].map((r) => [r.processState, r.result])).toEqual(
        Array(9).fill(['completed', 'success']),
      );
      for (const [name, record] of records) {
        expect(record.commands.map((c) => c.stdout)).toEqual([`done ${name}\n`]);
      }
      expect(events.at(-1)).toMatchObject({ type: 'run.finished', summary: { success: 9 } });
    },
  );
});
