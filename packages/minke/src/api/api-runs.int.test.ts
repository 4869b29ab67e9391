import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiHarness, type ApiHarness, type Caller } from '../../test-support/api-harness.js';
import { readEvents, type SseEvent } from '../../test-support/api-sse.js';
import { backendFactories, sqliteBackend } from '../../test-support/databases.js';
import { eventSeen, runFinished } from '../../test-support/run-waiter.js';
import { MemoryEventBus } from '../events/memory-event-bus.js';

const tmp = mkdtempSync(join(tmpdir(), 'minke-api-runs-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const runPermissions = [
  'view_service',
  'view_host',
  'run_hello',
  'run_chatty',
  'run_pause',
  'run_sleepy',
  'run_count',
];

interface RunDetail {
  id: number;
  state: string;
  summary: Record<string, number>;
  sessions: {
    id: number;
    objectLabel: string;
    hostName: string | null;
    processState: string;
    result: string | null;
  }[];
}

describe.each(backendFactories(() => tmp))('runs API on $name', ({ make }) => {
  let h: ApiHarness;
  let root: Caller;
  let runner: Caller;
  let other: Caller;
  let viewerOnly: Caller;
  let runnerId: number;
  const services: Record<string, number> = {};

  beforeAll(async () => {
    h = await startApiHarness(make());
    await h.user('root', { superuser: true });
    runnerId = await h.user('runner', { permissions: runPermissions });
    await h.user('other', { permissions: runPermissions });
    await h.user('viewer', { permissions: ['view_service', 'view_host'] });
    root = await h.withToken('root');
    runner = await h.withToken('runner');
    other = await h.withToken('other');
    viewerOnly = await h.withToken('viewer');
    const local = await h.project.hosts.add({ name: 'local', config: { transport: 'local' } });
    const off = await h.project.hosts.add({
      name: 'off',
      config: { transport: 'local' },
      disabled: true,
    });
    services['nginx'] = (
      await h.project.records.create('Service', { host: local.id, name: 'nginx' })
    ).id;
    services['down'] = (
      await h.project.records.create('Service', { host: off.id, name: 'down' })
    ).id;
  });
  afterAll(() => h.close());

  async function finished(caller: Caller, id: number): Promise<RunDetail> {
    await runFinished(h.runtime.bus, id, 30_000);
    return (await caller.get(`/api/runs/${id}`)).json<RunDetail>();
  }

  it('starts a run that really runs, and shows its state and sessions', async () => {
    const started = await runner.post('/api/runs', {
      session: 'Hello',
      model: 'Service',
      ids: [services['nginx'], services['down']],
    });
    expect(started.statusCode).toBe(201);
    const body = started.json<{
      id: number;
      session: string;
      records: { objectLabel: string; canceled?: string }[];
    }>();
    expect(body).toMatchObject({ session: 'Hello', model: 'Service' });
    expect(body.records).toEqual([
      expect.objectContaining({ objectLabel: 'nginx (Service #1)', hostName: 'local' }),
      expect.objectContaining({
        objectLabel: 'down (Service #2)',
        canceled: 'down (Service #2): host off is disabled',
      }),
    ]);
    const run = await finished(runner, body.id);
    expect(run).toMatchObject({
      id: body.id,
      state: 'finished',
      // the canceled session (a disabled host) is stopped, not an error
      summary: { all: 2, done: 2, success: 1, error: 0, stopped: 1 },
    });
    expect(run.sessions.map((s) => [s.objectLabel, s.processState, s.result])).toEqual([
      ['nginx (Service #1)', 'completed', 'success'],
      ['down (Service #2)', 'canceled', 'error'],
    ]);
    const record = (await runner.get(`/api/session-records/${run.sessions[0]?.id}`)).json<{
      commands: { command: string; stdout: string }[];
      messages: { text: string }[];
    }>();
    expect(record.commands).toEqual([
      expect.objectContaining({ command: 'echo hello nginx', stdout: 'hello nginx\n' }),
    ]);
    expect(record.messages[0]?.text).toMatch(/^code\[0\]/);
  });

  it('takes host names as ids, where and all', async () => {
    const byName = await runner.post('/api/runs', {
      session: 'Hello',
      model: 'Host',
      ids: ['local'],
    });
    expect(byName.statusCode).toBe(201);
    expect((await finished(runner, byName.json<{ id: number }>().id)).sessions[0]).toMatchObject({
      hostName: 'local',
      result: 'success',
    });
    const byWhere = await runner.post('/api/runs', {
      session: 'Hello',
      model: 'Service',
      where: 'name = nginx',
    });
    expect(byWhere.json<{ records: unknown[] }>().records).toHaveLength(1);
    await finished(runner, byWhere.json<{ id: number }>().id);
    const all = await runner.post('/api/runs', { session: 'Count', all: true, data: { count: 3 } });
    expect(all.json<{ records: unknown[] }>().records).toHaveLength(2);
    await finished(runner, all.json<{ id: number }>().id);
  });

  it('answers validation errors with fields, unknown sessions with 404', async () => {
    const cases: [unknown, number, Record<string, unknown>][] = [
      [
        { session: 'Count', ids: [services['nginx']], data: { count: 0 } },
        400,
        { fields: { count: expect.any(String) } },
      ],
      [
        { session: 'Count', ids: [services['nginx']], data: { count: 'many' } },
        400,
        { fields: { count: expect.any(String) } },
      ],
      [{ session: 'Hello', ids: [services['nginx']] }, 400, { fields: { model: 'required' } }],
      [{ session: 'Hello', model: 'Nope', all: true }, 400, { fields: { model: 'not in workOn' } }],
      [
        { session: 'Hello', model: 'Service', all: true, where: 'name = x' },
        400,
        { message: 'select objects with exactly one of: ids, where, all' },
      ],
      [
        { session: 'Hello', model: 'Service', where: 'name = nothing' },
        400,
        { message: 'the selection is empty: no object matches' },
      ],
      [
        { session: 'Hello', model: 'Service', where: 'name =' },
        400,
        { fields: { where: expect.any(String) } },
      ],
      [{ session: 'Hello', model: 'Service', ids: [999] }, 404, { code: 'not_found' }],
      [{ session: 'Nope', all: true }, 404, { code: 'not_found' }],
      [{ model: 'Service', all: true }, 400, { fields: { session: expect.any(String) } }],
      [
        { session: 'Hello', model: 'Service', all: true, colour: 'red' },
        400,
        { fields: { colour: 'not a known field' } },
      ],
    ];
    for (const [body, status, error] of cases) {
      const response = await runner.post('/api/runs', body);
      expect(response.statusCode, JSON.stringify(body)).toBe(status);
      expect(response.json()).toMatchObject({ error });
    }
  });

  it('refuses a session without its run permission, and leaves it out of the catalog', async () => {
    const refused = await viewerOnly.post('/api/runs', {
      session: 'Hello',
      model: 'Service',
      all: true,
    });
    expect(refused.statusCode).toBe(403);
    expect(refused.json()).toMatchObject({
      error: { code: 'permission_denied', message: expect.stringContaining('run_hello') },
    });
    expect((await viewerOnly.get('/api/sessions?model=Service')).json()).toEqual([]);
    expect(
      (await viewerOnly.get('/api/models'))
        .json<{ sessions: string[] }[]>()
        .every((m) => m.sessions.length === 0),
    ).toBe(true);
  });

  it("keeps other users' runs and session records invisible", async () => {
    const mine = (
      await runner.post('/api/runs', {
        session: 'Hello',
        model: 'Service',
        ids: [services['nginx']],
      })
    ).json<{
      id: number;
      records: { recordId: number }[];
    }>();
    await finished(runner, mine.id);
    const recordId = mine.records[0]?.recordId as number;
    expect((await other.get(`/api/runs/${mine.id}`)).statusCode).toBe(404);
    expect((await other.post(`/api/runs/${mine.id}/stop`)).statusCode).toBe(404);
    expect((await other.get(`/api/session-records/${recordId}`)).statusCode).toBe(404);
    expect((await other.post(`/api/session-records/${recordId}/stop`)).statusCode).toBe(404);
    expect((await other.get(`/api/events?run=${mine.id}`)).statusCode).toBe(404);
    expect((await other.get(`/api/session-records?user=${runnerId}`)).statusCode).toBe(403);
    const theirRuns = (await other.get('/api/runs')).json<{
      items: { id: number }[];
      total: number;
    }>();
    expect(theirRuns.items.map((r) => r.id)).not.toContain(mine.id);
    const theirRecords = (await other.get('/api/session-records?limit=1000')).json<{
      items: { id: number }[];
    }>();
    expect(theirRecords.items.map((r) => r.id)).not.toContain(recordId);

    const myRuns = (await runner.get('/api/runs?limit=2')).json<{
      items: { id: number; userId: number; username: string }[];
      total: number;
    }>();
    expect(myRuns.items[0]).toMatchObject({ id: mine.id, userId: runnerId, username: 'runner' });
    expect(myRuns.total).toBeGreaterThanOrEqual(4);
    const mineOnly = (await runner.get(`/api/session-records?run=${mine.id}`)).json<{
      items: { id: number; processState: string }[];
    }>();
    expect(mineOnly.items).toEqual([
      expect.objectContaining({ id: recordId, processState: 'completed' }),
    ]);
    expect(
      (await runner.get('/api/session-records?object=Service:1&status=success')).json<{
        total: number;
      }>().total,
    ).toBeGreaterThanOrEqual(1);
    expect(
      (await runner.get('/api/session-records?object=local')).json<{ total: number }>().total,
    ).toBeGreaterThanOrEqual(1);
    expect((await runner.get('/api/session-records?status=great')).statusCode).toBe(400);
    expect((await root.get(`/api/runs/${mine.id}`)).statusCode).toBe(200);
    expect(
      (await root.get(`/api/session-records?user=${runnerId}&run=${mine.id}`)).json<{
        total: number;
      }>().total,
    ).toBe(1);
  });

  it('stops a run: the first stop lets the command finish, the second kills it', async () => {
    const run = (
      await runner.post('/api/runs', { session: 'Sleepy', model: 'Host', ids: ['local'] })
    ).json<{
      id: number;
      records: { recordId: number }[];
    }>();
    const recordId = run.records[0]?.recordId as number;
    await eventSeen(
      h.runtime.bus,
      run.id,
      (e) => e.type === 'command.started' && e.recordId === recordId,
    );
    const first = await runner.post(`/api/runs/${run.id}/stop`);
    expect(first.statusCode).toBe(202);
    expect(first.json()).toEqual({ outcomes: [{ recordId, outcome: 'stopping' }] });
    expect(
      (await runner.get(`/api/runs/${run.id}`)).json<RunDetail>().sessions[0]?.processState,
    ).toBe('stopping');
    const second = await runner.post(`/api/runs/${run.id}/stop`);
    expect(second.json()).toEqual({ outcomes: [{ recordId, outcome: 'killing' }] });
    const done = await finished(runner, run.id);
    expect(done.sessions[0]).toMatchObject({ processState: 'stopped', result: 'error' });
    expect((await runner.post(`/api/runs/${run.id}/stop`)).json()).toEqual({ outcomes: [] });

    const single = (
      await runner.post('/api/runs', { session: 'Sleepy', model: 'Host', ids: ['local'] })
    ).json<{
      id: number;
      records: { recordId: number }[];
    }>();
    const singleRecord = single.records[0]?.recordId as number;
    await eventSeen(h.runtime.bus, single.id, (e) => e.type === 'command.started');
    expect((await runner.post(`/api/session-records/${singleRecord}/stop`)).json()).toEqual({
      outcome: 'stopping',
    });
    expect((await runner.post(`/api/session-records/${singleRecord}/stop`)).json()).toEqual({
      outcome: 'killing',
    });
    expect((await finished(runner, single.id)).sessions[0]).toMatchObject({
      processState: 'stopped',
    });
  });
});

describe('run events over server-sent events (real HTTP on 127.0.0.1)', () => {
  let h: ApiHarness;
  let base: string;
  const auth: Record<string, Record<string, string>> = {};
  let runner: Caller;

  beforeAll(async () => {
    h = await startApiHarness(sqliteBackend(), { events: { pingMs: 150 } });
    await h.user('root', { superuser: true });
    await h.user('runner', { permissions: runPermissions });
    await h.user('other', { permissions: runPermissions });
    for (const name of ['root', 'runner', 'other']) {
      auth[name] = { authorization: `Bearer ${(await h.withToken(name)).token}` };
    }
    runner = await h.withToken('runner');
    await h.project.hosts.add({ name: 'local', config: { transport: 'local' } });
    base = await h.app.listen({ host: '127.0.0.1', port: 0 });
  });
  afterAll(() => h.close());

  // The bus's subscribers: each open stream adds one and must take it away when the client goes.
  const subscribers = () => {
    expect(h.runtime.bus).toBeInstanceOf(MemoryEventBus);
    return (h.runtime.bus as MemoryEventBus).subscribers;
  };
  let before: number;
  beforeAll(() => {
    before = subscribers();
  });
  afterAll(async () => {
    for (let i = 0; i < 50 && subscribers() !== before; i++)
      await new Promise((r) => setTimeout(r, 20));
    expect(subscribers()).toBe(before);
  });

  const start = async (caller: Caller, session: string) =>
    (await caller.post('/api/runs', { session, model: 'Host', ids: ['local'] })).json<{
      id: number;
    }>().id;
  const isFinished = (event: SseEvent) => event.event === 'run.finished';
  const data = (event: SseEvent) =>
    JSON.parse(event.data) as Record<string, unknown> & { seq: number; runId: number };

  it('streams a run until it finishes, then resumes after Last-Event-ID with only later events', async () => {
    const runId = await start(runner, 'Pause');
    const first = await readEvents(`${base}/api/events?run=${runId}&since=0`, {
      headers: auth['runner'],
      // Cut after the first output, at an event that carries an id.
      until: (event, all) => event.id !== undefined && all.some((e) => e.event === 'output'),
    });
    expect(first.status).toBe(200);
    expect(first.events[0]?.event).toBe('run.started');
    const cut = Number(first.lastId);
    expect(cut).toBeGreaterThan(0);
    await runFinished(h.runtime.bus, runId);
    const resumed = await readEvents(`${base}/api/events?run=${runId}`, {
      headers: { ...auth['runner'], 'last-event-id': String(cut) },
      until: isFinished,
    });
    expect(resumed.events.map((e) => data(e).seq).every((seq) => seq > cut)).toBe(true);
    const seen = [...first.events, ...resumed.events].map((e) => e.event);
    const all = h.runtime.bus.since(0, { runId }).map((e) => e.type);
    expect(seen).toEqual(all);
    expect(seen.filter((type) => type === 'output')).toHaveLength(2);
    expect(first.events.map((e) => data(e)['chunk']).filter(Boolean)).toEqual(['one\n']);
    expect(resumed.events.map((e) => data(e)['chunk']).filter(Boolean)).toEqual(['two\n']);

    // From the last id of a finished run: nothing of it again; the next run's events come next.
    const watch = readEvents(`${base}/api/events`, {
      headers: { ...auth['runner'], 'last-event-id': String(resumed.lastId) },
      until: isFinished,
    });
    await new Promise((resolve) => setTimeout(resolve, 200));
    const next = await start(runner, 'Hello');
    const later = await watch;
    expect(new Set(later.events.map((e) => data(e).runId))).toEqual(new Set([next]));
    expect(later.events[0]?.event).toBe('run.started');
    expect(later.comments).toContain('connected');
  });

  it('coalesces a chatty command into far fewer output events with the full text', async () => {
    const watch = readEvents(`${base}/api/events`, {
      headers: auth['root'],
      until: isFinished,
      timeoutMs: 30_000,
    });
    await new Promise((resolve) => setTimeout(resolve, 200));
    const runId = await start(runner, 'Chatty');
    const read = await watch;
    const outputs = read.events.filter((e) => e.event === 'output').map(data);
    const chunks = h.runtime.bus.since(0, { runId }).filter((e) => e.type === 'output').length;
    const expected = Array.from({ length: 5000 }, (_, i) => `line ${i + 1}\n`).join('');
    expect(outputs.map((o) => o['chunk']).join('')).toBe(expected);
    expect(outputs.every((o) => o['truncated'] === undefined)).toBe(true);
    expect(outputs.reduce((n, o) => n + (o['chunks'] as number), 0)).toBe(chunks);
    // fewer events than chunks: coalesced (how many chunks the pipe delivers depends on the load)
    expect(outputs.length).toBeLessThan(chunks);
    // joined: some events carry several chunks (how many depends on the machine's speed)
    expect(outputs.some((o) => (o['chunks'] as number) > 1)).toBe(true);
    expect(read.comments).toContain('ping');
  });

  it("sends a user only their own runs' events, and a reset for an id it no longer holds", async () => {
    const watch = readEvents(`${base}/api/events`, {
      headers: auth['other'],
      until: (event) => isFinished(event),
    });
    await new Promise((resolve) => setTimeout(resolve, 200));
    const theirs = await start(runner, 'Hello');
    await runFinished(h.runtime.bus, theirs);
    const mine = await start(await h.withToken('other'), 'Hello');
    const read = await watch;
    expect(new Set(read.events.map((e) => data(e).runId))).toEqual(new Set([mine]));

    const stale = await readEvents(`${base}/api/events`, {
      headers: { ...auth['runner'], 'last-event-id': String(Number.MAX_SAFE_INTEGER) },
      until: () => true,
    });
    expect(stale.events[0]?.event).toBe('reset');
    expect(Number(stale.lastId)).toBeLessThan(Number.MAX_SAFE_INTEGER);
    const missing = await fetch(`${base}/api/events?run=424242`, { headers: auth['root'] });
    expect(missing.status).toBe(404);
    const anonymous = await fetch(`${base}/api/events`);
    expect(anonymous.status).toBe(401);
  });
});
