import type { FastifyInstance } from 'fastify';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiModels, apiSessions } from '../../../test-support/api-harness.js';
import { readEvents, type SseEvent } from '../../../test-support/api-sse.js';
import { tempSqliteFile } from '../../../test-support/databases.js';
import { deleteRedisPrefix, REDIS_URL, uniqueRedisPrefix } from '../../../test-support/redis.js';
import { runFinished } from '../../../test-support/run-waiter.js';
import { ApiTokenStore } from '../../auth/api-token-store.js';
import { resolveConfig } from '../../config/resolve-config.js';
import { startScaleOut, type ScaleOut } from '../../runtime/scale-out.js';
import { silentLogger } from '../../logger.js';
import { openProject, type OpenedProject } from '../../runtime/open-project.js';
import type { Runtime } from '../../runtime/runtime.js';
import { RunStore } from '../../runs/run-store.js';
import { buildServer } from '../../server/build-server.js';
import { RedisEventBus } from './redis-event-bus.js';
import { choiceCheckFor } from '../../choices/check-choices.js';

/**
 * Two servers behind an imaginary load balancer and a worker, as three processes would be (each
 * with its own project handle and event bus connection): a browser on either server sees the
 * whole run, and resumes on the other one after its last event id.
 */
const tmp = mkdtempSync(join(tmpdir(), 'minke-across-'));
const database = `sqlite:${tempSqliteFile(tmp)}`;

/** One process's handle on the shared project. */
function openHandle(migrate: boolean): Promise<OpenedProject> {
  const config = resolveConfig(
    { database, models: apiModels, sessions: apiSessions },
    { projectDir: tmp, configFile: 'test' },
    {},
  );
  return openProject(config, { migrate });
}
const prefix = uniqueRedisPrefix();
const queue = { kind: 'redis' as const, url: REDIS_URL, prefix };
const stops: (() => Promise<unknown>)[] = [];
let servers: { base: string; runtime: Runtime }[] = [];
let token = '';

async function startServer(project: OpenedProject): Promise<{ base: string; runtime: Runtime }> {
  const bus = new RedisEventBus({ url: REDIS_URL, prefix, logger: silentLogger });
  await bus.ready();
  const runs = new RunStore(project.database);
  const scaleOut: ScaleOut = startScaleOut({
    project,
    runs,
    bus,
    logger: silentLogger,
    role: 'server',
    backend: queue,
  });
  const runtime: Runtime = {
    project,
    runs,
    bus,
    executor: scaleOut.executor,
    checkChoices: choiceCheckFor(project),
    logger: silentLogger,
    close: async () => {
      await scaleOut.close();
      await bus.close();
    },
  };
  const app: FastifyInstance = await buildServer({
    project,
    runtime,
    logger: silentLogger,
    webRoot: null,
  });
  const base = await app.listen({ host: '127.0.0.1', port: 0 });
  stops.push(
    () => runtime.close(),
    () => app.close(),
  );
  return { base, runtime };
}

beforeAll(async () => {
  const first = await openHandle(true);
  stops.push(() => first.close());
  const second = await openHandle(false);
  stops.push(() => second.close());
  const user = await first.users.create({
    username: 'root',
    password: 'x'.repeat(12),
    superuser: true,
  });
  token = (await new ApiTokenStore(first.database).create({ userId: user.id, name: 'test' })).token;
  await first.hosts.add({ name: 'local', config: { transport: 'local' } });
  servers = [await startServer(first), await startServer(second)];
  const workerProject = await openHandle(false);
  stops.push(() => workerProject.close());
  const workerBus = new RedisEventBus({ url: REDIS_URL, prefix, logger: silentLogger });
  const worker = startScaleOut({
    project: workerProject,
    runs: new RunStore(workerProject.database),
    bus: workerBus,
    logger: silentLogger,
    role: 'worker',
    backend: queue,
  });
  stops.push(
    () => workerBus.close(),
    () => worker.close(5000),
  );
  await Promise.all([workerBus.ready(), worker.worker?.ready()]);
});
afterAll(async () => {
  for (const stop of stops.reverse()) await stop().catch(() => undefined);
  await deleteRedisPrefix(REDIS_URL, prefix);
  rmSync(tmp, { recursive: true, force: true });
});

const data = (event: SseEvent) => JSON.parse(event.data) as { seq: number; chunk?: string };

describe('events across servers (Redis event bus, BullMQ worker)', { timeout: 60_000 }, () => {
  it('shows a run executed by a worker on any server, and resumes on another one', async () => {
    const [a, b] = servers as [(typeof servers)[number], (typeof servers)[number]];
    const headers = { authorization: `Bearer ${token}` };
    const started = await fetch(`${a.base}/api/runs`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body: JSON.stringify({ session: 'Pause', model: 'Host', ids: ['local'] }),
    });
    expect(started.status).toBeLessThan(300);
    const runId = ((await started.json()) as { id: number }).id;

    // Connected to B (not the server that queued the run), cut after the first output.
    const first = await readEvents(`${b.base}/api/events?run=${runId}&since=0`, {
      headers,
      until: (event, all) => event.id !== undefined && all.some((e) => e.event === 'output'),
    });
    expect(first.events[0]?.event).toBe('run.started');
    const cut = Number(first.lastId);
    await runFinished(a.runtime.bus, runId);
    // Reconnected to A with the last id B gave.
    const resumed = await readEvents(`${a.base}/api/events?run=${runId}`, {
      headers: { ...headers, 'last-event-id': String(cut) },
      until: (event) => event.event === 'run.finished',
    });
    expect(resumed.events.every((e) => data(e).seq > cut)).toBe(true);
    const seen = [...first.events, ...resumed.events].map((e) => e.event);
    expect(seen).toEqual(b.runtime.bus.since(0, { runId }).map((e) => e.type));
    expect(seen).toEqual(a.runtime.bus.since(0, { runId }).map((e) => e.type));
    expect([...first.events, ...resumed.events].map((e) => data(e).chunk).filter(Boolean)).toEqual([
      'one\n',
      'two\n',
    ]);
  });
});
