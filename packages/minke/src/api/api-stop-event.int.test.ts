import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiHarness, type ApiHarness, type Caller } from '../../test-support/api-harness.js';
import { readEvents } from '../../test-support/api-sse.js';
import { sqliteBackend } from '../../test-support/databases.js';
import { eventSeen, runFinished } from '../../test-support/run-waiter.js';

describe('a stop asked through the API is streamed as "stopping" at once', () => {
  let h: ApiHarness;
  let base: string;
  let runner: Caller & { token: string };
  let auth: Record<string, string>;

  beforeAll(async () => {
    h = await startApiHarness(sqliteBackend(), { events: { pingMs: 150 } });
    await h.user('runner', { permissions: ['view_host', 'run_sleepy'] });
    runner = await h.withToken('runner');
    auth = { authorization: `Bearer ${runner.token}` };
    await h.project.hosts.add({ name: 'local', config: { transport: 'local' } });
    base = await h.app.listen({ host: '127.0.0.1', port: 0 });
  });
  afterAll(() => h.close());

  it('sends session.state stopping before the session ends, once, then stopped', async () => {
    const runId = (
      await runner.post('/api/runs', { session: 'Sleepy', model: 'Host', ids: ['local'] })
    ).json<{ id: number }>().id;
    await eventSeen(h.runtime.bus, runId, (e) => e.type === 'command.started');

    const stream = readEvents(`${base}/api/events?run=${runId}&since=0`, {
      headers: auth,
      until: (event) => event.event === 'run.finished',
      timeoutMs: 30_000,
    });
    // The first stop lets `sleep 30` go on: only the event can tell the UI it is stopping.
    const first = await runner.post(`/api/runs/${runId}/stop`);
    expect(first.json()).toMatchObject({ outcomes: [{ outcome: 'stopping' }] });
    await eventSeen(
      h.runtime.bus,
      runId,
      (e) => e.type === 'session.state' && e.processState === 'stopping',
    );
    expect((await runner.post(`/api/runs/${runId}/stop`)).json()).toMatchObject({
      outcomes: [{ outcome: 'killing' }],
    });
    const read = await stream;
    await runFinished(h.runtime.bus, runId);

    const states = read.events
      .filter((e) => e.event === 'session.state' || e.event === 'session.finished')
      .map((e) => `${e.event}:${(JSON.parse(e.data) as { processState: string }).processState}`);
    expect(states).toEqual([
      'session.state:running',
      'session.state:stopping',
      'session.finished:stopped',
    ]);
    const stopping = read.events.find((e) => e.data.includes('"stopping"'));
    expect(JSON.parse(stopping?.data ?? '{}')).toMatchObject({
      runId,
      objectLabel: 'local',
      hostName: 'local',
      result: null,
    });
  });
});
