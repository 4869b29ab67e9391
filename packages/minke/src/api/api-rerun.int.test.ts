import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiHarness, type ApiHarness, type Caller } from '../../test-support/api-harness.js';
import { backendFactories } from '../../test-support/databases.js';
import { runFinished } from '../../test-support/run-waiter.js';

const tmp = mkdtempSync(join(tmpdir(), 'minke-api-rerun-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

interface Started {
  id: number;
  session: string;
  records: { objectId: number; objectLabel: string; canceled?: string }[];
}

interface RunDetail {
  id: number;
  data: unknown;
  timeoutMs: number | null;
  sessions: { id: number; objectLabel: string; processState: string; result: string | null }[];
}

describe.each(backendFactories(() => tmp))('re-run API on $name', ({ make }) => {
  let h: ApiHarness;
  let root: Caller;
  let runner: Caller;
  let other: Caller;
  let runnerId: number;
  const ids: Record<string, number> = {};

  beforeAll(async () => {
    h = await startApiHarness(make());
    await h.user('root', { superuser: true });
    const permissions = ['view_service', 'view_host', 'run_hello', 'run_count'];
    runnerId = await h.user('runner', { permissions });
    await h.user('other', { permissions });
    root = await h.withToken('root');
    runner = await h.withToken('runner');
    other = await h.withToken('other');
    const local = await h.project.hosts.add({ name: 'local', config: { transport: 'local' } });
    const off = await h.project.hosts.add({
      name: 'off',
      config: { transport: 'local' },
      disabled: true,
    });
    ids['nginx'] = (
      await h.project.records.create('Service', { host: local.id, name: 'nginx' })
    ).id;
    ids['redis'] = (
      await h.project.records.create('Service', { host: local.id, name: 'redis' })
    ).id;
    ids['down'] = (await h.project.records.create('Service', { host: off.id, name: 'down' })).id;
  });
  afterAll(() => h.close());

  async function start(caller: Caller, body: object): Promise<Started> {
    const reply = await caller.post('/api/runs', body);
    expect(reply.statusCode, reply.body).toBe(201);
    return reply.json<Started>();
  }

  async function finished(caller: Caller, id: number): Promise<RunDetail> {
    await runFinished(h.runtime.bus, id, 30_000);
    return (await caller.get(`/api/runs/${id}`)).json<RunDetail>();
  }

  async function commandsOf(caller: Caller, recordId: number): Promise<string[]> {
    const record = (await caller.get(`/api/session-records/${recordId}`)).json<{
      commands: { command: string }[];
    }>();
    return record.commands.map((c) => c.command);
  }

  it('runs the same session on the same objects again, or on the failed ones only', async () => {
    const first = await start(runner, {
      session: 'Hello',
      model: 'Service',
      ids: [ids['nginx'], ids['redis'], ids['down']],
    });
    await finished(runner, first.id);

    const all = await runner.post(`/api/runs/${first.id}/rerun`, {});
    expect(all.statusCode, all.body).toBe(201);
    const again = all.json<Started>();
    expect(again.id).not.toBe(first.id);
    expect(again.session).toBe('Hello');
    expect(again.records.map((r) => r.objectLabel)).toEqual([
      'nginx (Service #1)',
      'redis (Service #2)',
      'down (Service #3)',
    ]);
    await finished(runner, again.id);

    // "down" was canceled (its host is disabled): the one failure, the only object re-run
    const failed = await runner.post(`/api/runs/${first.id}/rerun`, { failedOnly: true });
    expect(failed.statusCode, failed.body).toBe(201);
    const onlyFailed = failed.json<Started>();
    expect(onlyFailed.records).toEqual([
      expect.objectContaining({
        objectLabel: 'down (Service #3)',
        canceled: 'down (Service #3): host off is disabled',
      }),
    ]);
    const detail = await finished(runner, onlyFailed.id);
    expect(detail.sessions.map((s) => [s.objectLabel, s.processState])).toEqual([
      ['down (Service #3)', 'canceled'],
    ]);
  });

  it('says so when every session succeeded and only the failed ones are asked for', async () => {
    const ok = await start(runner, { session: 'Hello', model: 'Service', ids: [ids['nginx']] });
    await finished(runner, ok.id);
    const reply = await runner.post(`/api/runs/${ok.id}/rerun`, { failedOnly: true });
    expect(reply.statusCode).toBe(400);
    expect(reply.json()).toMatchObject({
      error: {
        code: 'input',
        message: `every session of run ${ok.id} succeeded: there is nothing to re-run`,
      },
    });
  });

  it('re-runs with the stored form data; values given again win', async () => {
    const first = await start(runner, {
      session: 'Count',
      model: 'Service',
      ids: [ids['nginx']],
      data: { count: 3 },
    });
    const firstRun = await finished(runner, first.id);
    const same = (await runner.post(`/api/runs/${first.id}/rerun`, {})).json<Started>();
    const sameRun = await finished(runner, same.id);
    expect(sameRun.data).toEqual({ count: 3 });
    expect(await commandsOf(runner, sameRun.sessions[0]!.id)).toEqual(
      await commandsOf(runner, firstRun.sessions[0]!.id),
    );
    expect(await commandsOf(runner, sameRun.sessions[0]!.id)).toEqual(['seq 1 3']);

    const changed = (
      await runner.post(`/api/runs/${first.id}/rerun`, { data: { count: 2 } })
    ).json<Started>();
    const changedRun = await finished(runner, changed.id);
    expect(await commandsOf(runner, changedRun.sessions[0]!.id)).toEqual(['seq 1 2']);

    // a bad value given again is the form's field error, as at a start; nothing runs
    const bad = await runner.post(`/api/runs/${first.id}/rerun`, { data: { count: 99 } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json<{ error: { fields?: Record<string, string> } }>().error.fields).toHaveProperty(
      'count',
    );
  });

  it('keeps the time limit a run was started with, in its reply, its audit row and a re-run', async () => {
    const first = await start(runner, {
      session: 'Count',
      model: 'Service',
      ids: [ids['nginx']],
      data: { count: 1 },
      timeoutMs: 90_000,
    });
    expect((await finished(runner, first.id)).timeoutMs).toBe(90_000);
    const again = (await runner.post(`/api/runs/${first.id}/rerun`, {})).json<Started>();
    expect((await finished(runner, again.id)).timeoutMs).toBe(90_000);
    const listed = (await runner.get('/api/runs?limit=3')).json<{
      items: { id: number; timeoutMs: number | null }[];
    }>();
    expect(listed.items.find((run) => run.id === again.id)?.timeoutMs).toBe(90_000);
    const audit = (await root.get(`/api/audit?action=run.start&target=${first.id}`)).json<{
      items: { after: unknown }[];
    }>();
    expect(audit.items[0]?.after).toMatchObject({ session: 'Count', timeoutMs: 90_000 });
    // A re-run may be given another limit, or none (null).
    const longer = await runner.post(`/api/runs/${first.id}/rerun`, { timeoutMs: 600_000 });
    expect((await finished(runner, longer.json<Started>().id)).timeoutMs).toBe(600_000);
    const unbounded = await runner.post(`/api/runs/${first.id}/rerun`, { timeoutMs: null });
    expect((await finished(runner, unbounded.json<Started>().id)).timeoutMs).toBeNull();
    const wrong = await runner.post(`/api/runs/${first.id}/rerun`, { timeoutMs: 1.5 });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json()).toMatchObject({
      error: { code: 'input', fields: { timeoutMs: expect.any(String) as unknown } },
    });
    // A run without one says null.
    const plain = await start(runner, { session: 'Hello', model: 'Service', ids: [ids['nginx']] });
    expect((await finished(runner, plain.id)).timeoutMs).toBeNull();
    // What no timer can wait is refused before anything runs.
    for (const timeoutMs of [0, 2 ** 31, 1.5]) {
      const refused = await runner.post('/api/runs', {
        session: 'Hello',
        model: 'Service',
        ids: [ids['nginx']],
        timeoutMs,
      });
      expect(refused.statusCode).toBe(400);
      expect(refused.json()).toMatchObject({
        error: { code: 'input', fields: { timeoutMs: expect.any(String) as unknown } },
      });
    }
  });

  it("is audited as a run start; another user's run is not found; a lost permission refuses", async () => {
    const first = await start(runner, { session: 'Hello', model: 'Service', ids: [ids['nginx']] });
    await finished(runner, first.id);

    // another user does not learn that the run exists
    const foreign = await other.post(`/api/runs/${first.id}/rerun`, {});
    expect(foreign.statusCode).toBe(404);
    expect(foreign.json()).toMatchObject({
      error: { code: 'not_found', message: `run ${first.id} does not exist` },
    });

    const again = (await runner.post(`/api/runs/${first.id}/rerun`, {})).json<Started>();
    const audit = (await root.get(`/api/audit?action=run.start&target=${again.id}`)).json<{
      items: { actor: { name: string }; target: { id: string | null }; after: unknown }[];
    }>();
    expect(audit.items).toEqual([
      expect.objectContaining({
        actor: expect.objectContaining({ name: 'runner' }) as unknown,
        target: expect.objectContaining({ id: String(again.id) }) as unknown,
        after: expect.objectContaining({ session: 'Hello', objects: [ids['nginx']] }) as unknown,
      }),
    ]);
    await finished(runner, again.id);

    // the run permission is checked again at the re-run, as at any start
    await h.project.permissions.revoke(runnerId, ['run_hello']);
    try {
      const refused = await runner.post(`/api/runs/${first.id}/rerun`, {});
      expect(refused.statusCode).toBe(403);
      expect(refused.json()).toMatchObject({
        error: {
          code: 'permission_denied',
          message: expect.stringContaining('you may not run Hello'),
        },
      });
    } finally {
      await h.project.permissions.grant(runnerId, ['run_hello']);
    }
  });
});
