import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  apiModels,
  apiSessions,
  startApiHarness,
  type ApiHarness,
  type Caller,
} from '../../test-support/api-harness.js';
import { sqliteBackend } from '../../test-support/databases.js';
import { freePort } from '../../test-support/redis.js';
import { runFinished } from '../../test-support/run-waiter.js';
import { resolveConfig } from '../config/resolve-config.js';
import { AgentStore } from '../facts/agent-store.js';
import { silentLogger } from '../logger.js';
import { openProject } from '../runtime/open-project.js';
import { createRuntime } from '../runtime/runtime.js';
import { buildServer } from '../server/build-server.js';
import { agentPresence } from '../../test-support/facts-fixtures.js';

/** The value of one sample line (`name{labels} value`), 0 when the series has no sample yet. */
function sample(text: string, series: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? 0 : Number(line.slice(series.length + 1));
}

describe('/metrics', { timeout: 60_000 }, () => {
  let h: ApiHarness;
  let root: Caller;
  let base: string;
  let token: string;

  beforeAll(async () => {
    h = await startApiHarness(sqliteBackend());
    await h.user('root', { superuser: true });
    const caller = await h.withToken('root');
    root = caller;
    token = caller.token;
    await h.project.hosts.add({ name: 'local', config: { transport: 'local' } });
    // An SSH host whose port nobody listens on: connecting is refused.
    await h.project.hosts.add({ name: 'closed', hostname: '127.0.0.1', port: await freePort() });
    base = await h.app.listen({ host: '127.0.0.1', port: 0 });
  });
  afterAll(() => h.close());

  const scrape = async () => {
    const response = await h.anonymous.get('/metrics');
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toContain('text/plain; version=0.0.4');
    return response.body;
  };

  async function run(session: string, host: string): Promise<number> {
    const started = await root.post('/api/runs', { session, model: 'Host', ids: [host] });
    expect(started.statusCode).toBe(201);
    const id = started.json<{ id: number }>().id;
    await runFinished(h.runtime.bus, id, 30_000);
    return id;
  }

  it('shows minke_* series for runs, sessions, commands, agents and leases, without login', async () => {
    const text = await scrape();
    for (const series of [
      '# TYPE minke_runs gauge',
      '# TYPE minke_sessions gauge',
      '# TYPE minke_commands_total counter',
      '# TYPE minke_ssh_connect_failures_total counter',
      '# TYPE minke_event_lag_seconds histogram',
      '# TYPE minke_agents_online gauge',
      '# TYPE minke_host_leases gauge',
      'minke_sessions{state="initialized"} 0',
      'minke_agents_online 0',
      'minke_process_resident_memory_bytes',
    ])
      expect(text).toContain(series);
    // No queue with the in-process executor: no queue series.
    expect(text).not.toContain('minke_queue_jobs');
  });

  it('counts a run, its commands and the events an event-stream client received', async () => {
    const before = await scrape();
    const stream = await openEventStream(`${base}/api/events`, token);
    try {
      await run('Hello', 'local');
      await stream.until('run.finished');
    } finally {
      stream.close();
    }
    const after = await scrape();
    expect(sample(after, 'minke_runs{state="finished"}')).toBe(
      sample(before, 'minke_runs{state="finished"}') + 1,
    );
    expect(sample(after, 'minke_runs{state="running"}')).toBe(0);
    expect(sample(after, 'minke_commands_total{status="success"}')).toBe(
      sample(before, 'minke_commands_total{status="success"}') + 1,
    );
    // Every live event the client got was timed (run.started ... run.finished: at least 5).
    expect(sample(after, 'minke_event_lag_seconds_count')).toBeGreaterThanOrEqual(
      sample(before, 'minke_event_lag_seconds_count') + 5,
    );
    expect(sample(after, 'minke_event_lag_seconds_bucket{le="+Inf"}')).toBe(
      sample(after, 'minke_event_lag_seconds_count'),
    );
  });

  it('times answered requests by method, route pattern and status, not event streams', async () => {
    const hosts =
      'minke_http_request_duration_seconds_count{method="GET",route="/api/hosts/:name",status="200"}';
    const missing =
      'minke_http_request_duration_seconds_count{method="GET",route="/api/hosts/:name",status="404"}';
    const unmatched =
      'minke_http_request_duration_seconds_count{method="GET",route="(unmatched)",status="404"}';
    const before = await scrape();
    expect((await root.get('/api/hosts/local')).statusCode).toBe(200);
    expect((await root.get('/api/hosts/local')).statusCode).toBe(200);
    expect((await root.get('/api/hosts/nowhere')).statusCode).toBe(404);
    expect((await root.get('/api/no-such-route')).statusCode).toBe(404);
    const stream = await openEventStream(`${base}/api/events`, token);
    stream.close();
    // A closed stream would be timed (if it were) as the server sees the client go: give it time.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const after = await scrape();
    expect(sample(after, hosts)).toBe(sample(before, hosts) + 2);
    expect(sample(after, missing)).toBe(sample(before, missing) + 1);
    expect(sample(after, unmatched)).toBe(sample(before, unmatched) + 1);
    // The path is never a label (one series per route, whatever the names in it).
    expect(after).not.toContain('route="/api/hosts/local"');
    expect(after).not.toContain('route="/api/events"');
    // Each request is in its buckets: the +Inf bucket holds them all.
    const inf = hosts.replace('_count{', '_bucket{le="+Inf",');
    expect(sample(after, inf)).toBe(sample(after, hosts));
  });

  it('counts the agents whose presence says online, not the offline ones', async () => {
    const agents = new AgentStore(h.project);
    await agents.recordPresences([agentPresence('up-1', true), agentPresence('down-1', false)]);
    expect(sample(await scrape(), 'minke_agents_online')).toBe(1);
    await agents.recordPresence(agentPresence('up-1', false));
    expect(sample(await scrape(), 'minke_agents_online')).toBe(0);
  });

  it('counts SSH connections that fail, by reason', async () => {
    const series = 'minke_ssh_connect_failures_total{reason="connection_refused"}';
    const before = sample(await scrape(), series);
    const id = await run('Hello', 'closed');
    const detail = (await root.get(`/api/runs/${id}`)).json<{
      sessions: { processState: string }[];
    }>();
    expect(detail.sessions.map((s) => s.processState)).toEqual(['failed']);
    expect(sample(await scrape(), series)).toBe(before + 1);
  });
});

describe('/metrics with MINKE_METRICS_TOKEN', () => {
  const scrapeToken = 'scrape-8c1f0b7e5d';
  let app: Awaited<ReturnType<typeof buildServer>> | undefined;
  const closers: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close();
  });

  it('answers 401 without the right bearer token, and the metrics with it', async () => {
    const config = resolveConfig(
      { database: 'sqlite::memory:', models: [...apiModels], sessions: [...apiSessions] },
      { projectDir: process.cwd(), configFile: 'test' },
      { MINKE_METRICS_TOKEN: scrapeToken },
    );
    const project = await openProject(config, { migrate: true });
    closers.push(() => project.close());
    const runtime = createRuntime(project, { quiet: true });
    closers.push(() => runtime.close());
    app = await buildServer({ project, runtime, logger: silentLogger, webRoot: null });
    closers.push(() => app?.close() ?? Promise.resolve());

    const anonymous = await app.inject({ method: 'GET', url: '/metrics' });
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.headers['www-authenticate']).toContain('Bearer');
    expect(anonymous.json()).toEqual({
      error: {
        code: 'unauthenticated',
        message: '/metrics needs Authorization: Bearer <MINKE_METRICS_TOKEN>',
      },
    });
    const wrong = await app.inject({
      method: 'GET',
      url: '/metrics',
      headers: { authorization: `Bearer ${scrapeToken}x` },
    });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.body).not.toContain(scrapeToken);
    const right = await app.inject({
      method: 'GET',
      url: '/metrics',
      headers: { authorization: `Bearer ${scrapeToken}` },
    });
    expect(right.statusCode).toBe(200);
    expect(right.body).toContain('# TYPE minke_sessions gauge');
    // Probes stay open.
    expect((await app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
  });
});

/**
 * A live event-stream client: resolves `open` once the server has subscribed it (its first
 * bytes), so that everything after is delivered live rather than replayed.
 */
async function openEventStream(url: string, token: string) {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), 30_000);
  const response = await fetch(url, {
    headers: { authorization: `Bearer ${token}` },
    signal: controller.signal,
  });
  if (!response.body) throw new Error(`no event stream: ${response.status}`);
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let text = '';
  const readUntil = async (marker: string) => {
    for (let reads = 0; reads < 10_000 && !text.includes(marker); reads++) {
      const { value, done } = await reader.read();
      if (done) throw new Error(`the stream ended before "${marker}"`);
      text += value;
    }
    if (!text.includes(marker)) throw new Error(`no "${marker}" in the stream`);
  };
  await readUntil(': connected');
  return {
    until: (type: string) => readUntil(`event: ${type}\n`),
    close() {
      clearTimeout(timer);
      controller.abort();
    },
  };
}
