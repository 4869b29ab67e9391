import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiHarness, type ApiHarness, type Caller } from '../../test-support/api-harness.js';
import { backendFactories } from '../../test-support/databases.js';
import { runFinished } from '../../test-support/run-waiter.js';

const tmp = mkdtempSync(join(tmpdir(), 'minke-api-current-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

interface Listed {
  name: string;
  _lastSession: { id: number; result: string | null } | null;
}

describe.each(backendFactories(() => tmp))('current session per user on $name', ({ make }) => {
  let h: ApiHarness;
  let ann: Caller;
  let bob: Caller;
  let service: number;

  const permissions = ['view_service', 'view_host', 'run_hello'];
  beforeAll(async () => {
    h = await startApiHarness(make());
    await h.user('ann', { permissions });
    await h.user('bob', { permissions });
    ann = await h.withToken('ann');
    bob = await h.withToken('bob');
    const host = await h.project.hosts.add({ name: 'local', config: { transport: 'local' } });
    service = (await h.project.records.create('Service', { host: host.id, name: 'nginx' })).id;
    await h.project.records.create('Service', { host: host.id, name: 'idle' });
  });
  afterAll(() => h.close());

  const runAs = async (caller: Caller): Promise<number> => {
    const reply = await caller.post('/api/runs', {
      session: 'Hello',
      model: 'Service',
      ids: [service],
    });
    expect(reply.statusCode).toBe(201);
    const run = reply.json<{ id: number; records: { recordId: number }[] }>();
    await runFinished(h.runtime.bus, run.id);
    return run.records[0]?.recordId as number;
  };
  const currentOf = async (caller: Caller, query = '') => {
    const page = (await caller.get(`/api/records/Service?order=name${query}`)).json<{
      items: Listed[];
    }>();
    return Object.fromEntries(page.items.map((i) => [i.name, i._lastSession?.id ?? null]));
  };
  const history = async (caller: Caller) =>
    (await caller.get('/api/session-records?model=Service')).json<{ total: number }>().total;

  it('shows each user their own newest session, clears it for that user only, keeps history', async () => {
    const annRecord = await runAs(ann);
    const bobRecord = await runAs(bob); // newer, but Bob's
    expect(await currentOf(ann)).toEqual({ idle: null, nginx: annRecord });
    expect(await currentOf(bob)).toEqual({ idle: null, nginx: bobRecord });
    // The single record view agrees with the list.
    const one = (await ann.get(`/api/records/Service/${service}`)).json<Listed>();
    expect(one._lastSession?.id).toBe(annRecord);
    // lastStatus follows the caller's current session.
    expect(await currentOf(ann, '&lastStatus=success')).toEqual({ nginx: annRecord });

    const cleared = await ann.post('/api/records/Service/clear', { all: true });
    expect(cleared.statusCode).toBe(200);
    expect(cleared.json()).toEqual({ selected: 2, cleared: 1 });
    expect(await currentOf(ann)).toEqual({ idle: null, nginx: null });
    expect(await currentOf(ann, '&lastStatus=success')).toEqual({});
    expect(
      (await ann.get(`/api/records/Service/${service}`)).json<Listed>()._lastSession,
    ).toBeNull();
    // Bob's view and everyone's history are untouched.
    expect(await currentOf(bob)).toEqual({ idle: null, nginx: bobRecord });
    expect(await history(ann)).toBe(1);
    expect(await history(bob)).toBe(1);

    // Ann's next run is her current one again.
    const again = await runAs(ann);
    expect(await currentOf(ann)).toEqual({ idle: null, nginx: again });
    // Clearing with nothing current clears nothing, and says so.
    const none = await bob.post('/api/records/Service/clear', { where: 'name = idle' });
    expect(none.json()).toEqual({ selected: 1, cleared: 0 });
    expect(await currentOf(bob)).toEqual({ idle: null, nginx: bobRecord });
  });

  it("shows a run without a user (the operator's CLI) to everyone until each clears it", async () => {
    const { recordIds } = await h.runtime.runs.createRun({
      session: 'Hello',
      verboseName: 'Hello',
      model: 'Service',
      userId: null,
      data: {},
      records: [{ objectId: service, objectLabel: 'nginx', hostId: null, hostName: null }],
    });
    const operatorRecord = recordIds[0] as number;
    expect((await currentOf(ann))['nginx']).toBe(operatorRecord);
    expect((await currentOf(bob))['nginx']).toBe(operatorRecord);
    await bob.post('/api/records/Service/clear', { ids: [service] });
    expect((await currentOf(bob))['nginx']).toBeNull();
    expect((await currentOf(ann))['nginx']).toBe(operatorRecord);
  });

  it('answers a bad selection and a model the caller may not view clearly', async () => {
    const both = await ann.post('/api/records/Service/clear', { all: true, ids: [service] });
    expect(both.statusCode).toBe(400);
    expect(both.json()).toMatchObject({
      error: { message: 'select objects with exactly one of: ids, where, all' },
    });
    const unknown = await ann.post('/api/records/Nope/clear', { all: true });
    expect(unknown.statusCode).toBe(404);
    await h.user('carl');
    const carl = await h.withToken('carl');
    expect((await carl.post('/api/records/Service/clear', { all: true })).statusCode).toBe(403);
  });
});
