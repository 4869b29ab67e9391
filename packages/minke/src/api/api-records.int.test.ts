import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiHarness, type ApiHarness, type Caller } from '../../test-support/api-harness.js';
import { backendFactories } from '../../test-support/databases.js';

const tmp = mkdtempSync(join(tmpdir(), 'minke-api-records-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe.each(backendFactories(() => tmp))('records API on $name', ({ make }) => {
  let h: ApiHarness;
  let root: Caller;
  let viewer: Caller;
  let nobody: Caller;
  const hosts: Record<string, number> = {};

  beforeAll(async () => {
    h = await startApiHarness(make());
    await h.user('root', { superuser: true });
    await h.user('viewer', { permissions: ['view_service', 'view_host', 'run_hello'] });
    await h.user('nobody');
    root = await h.withToken('root');
    viewer = await h.withToken('viewer');
    nobody = await h.withToken('nobody');
    await h.project.hosts.addGroup({ name: 'web' });
    for (const name of ['local', 'web-1', 'web-2']) {
      hosts[name] = (
        await h.project.hosts.add({
          name,
          config: name === 'local' ? { transport: 'local' } : {},
          groups: name === 'local' ? [] : ['web'],
        })
      ).id;
    }
    for (const [name, kind, port, host] of [
      ['nginx', 'web', 80, 'web-1'],
      ['apache', 'web', 8080, 'web-2'],
      ['postgres', 'db', 5432, 'local'],
      ['redis', 'cache', 6379, 'local'],
    ] as const) {
      await h.project.records.create('Service', { host: hosts[host], name, kind, port });
    }
  });
  afterAll(() => h.close());

  it('describes the models the caller may view, with permissions and runnable sessions', async () => {
    const models = (await viewer.get('/api/models')).json<
      {
        name: string;
        permissions: Record<string, boolean>;
        sessions: string[];
        fields: { name: string; kind: string }[];
      }[]
    >();
    expect(models.map((m) => m.name)).toEqual(['Host', 'Service']);
    const service = models.find((m) => m.name === 'Service');
    expect(service?.permissions).toEqual({ view: true, add: false, change: false, delete: false });
    expect(service?.sessions).toEqual(['Hello']);
    expect(service?.fields.find((f) => f.name === 'kind')).toMatchObject({
      kind: 'enum',
      values: ['web', 'db', 'cache'],
      default: 'web',
    });
    expect(service?.fields.find((f) => f.name === 'host')).toMatchObject({
      kind: 'ref',
      model: 'Host',
    });
    const host = models.find((m) => m.name === 'Host');
    expect(host?.fields.map((f) => f.name)).toContain('groups');
    expect((await nobody.get('/api/models')).json()).toEqual([]);
    expect((await root.get('/api/models/Service')).json()).toMatchObject({
      name: 'Service',
      sessions: ['Hello', 'Count'],
    });
    expect((await nobody.get('/api/models/Service')).statusCode).toBe(404);
  });

  it('lists only the sessions the caller may run, with forms as JSON Schema', async () => {
    expect((await viewer.get('/api/sessions?model=Service')).json()).toEqual([
      expect.objectContaining({ name: 'Hello', models: ['Host', 'Service'], form: null }),
    ]);
    const all = (await root.get('/api/sessions?model=Service')).json<
      { name: string; form: unknown }[]
    >();
    expect(all.map((s) => s.name)).toEqual(['Hello', 'Count']);
    expect(all[1]?.form).toMatchObject({
      type: 'object',
      properties: { count: { type: 'integer' } },
      required: ['count'],
    });
    expect((await nobody.get('/api/sessions')).json()).toEqual([]);
    expect((await root.get('/api/sessions?model=Nope')).statusCode).toBe(404);
  });

  it('lists records with filters, search, order and paging, each with a label', async () => {
    const page = (
      await viewer.get('/api/records/Service?where=kind%20%3D%20web&order=-port&limit=1')
    ).json<{
      items: Record<string, unknown>[];
      total: number;
      limit: number;
    }>();
    expect(page).toMatchObject({ total: 2, limit: 1, offset: 0 });
    expect(page.items[0]).toMatchObject({
      name: 'apache',
      port: 8080,
      _label: 'apache (Service #2)',
      _lastSession: null,
    });
    const second = (
      await viewer.get('/api/records/Service?where=kind%20%3D%20web&order=-port&limit=1&offset=1')
    ).json<{
      items: { name: string }[];
    }>();
    expect(second.items.map((i) => i.name)).toEqual(['nginx']);
    const search = (await viewer.get('/api/records/Service?search=GRES')).json<{
      items: { name: string }[];
    }>();
    expect(search.items.map((i) => i.name)).toEqual(['postgres']);
    const viaRefs = (
      await viewer.get(`/api/records/Service?where=${encodeURIComponent('host.groups.name = web')}`)
    ).json<{
      items: { name: string }[];
    }>();
    expect(viaRefs.items.map((i) => i.name)).toEqual(['apache', 'nginx']);
    const hostsPage = (await viewer.get('/api/records/Host')).json<{
      items: { name: string; groups: string[]; _label: string }[];
    }>();
    expect(hostsPage.items.map((i) => [i.name, i.groups, i._label])).toEqual([
      ['local', [], 'local'],
      ['web-1', ['web'], 'web-1'],
      ['web-2', ['web'], 'web-2'],
    ]);
  });

  it('answers validation errors with the fields at fault', async () => {
    const badWhere = await viewer.get(
      `/api/records/Service?where=${encodeURIComponent('nope = 1')}`,
    );
    expect(badWhere.statusCode).toBe(400);
    expect(badWhere.json()).toMatchObject({
      error: { code: 'input', fields: { nope: expect.any(String) } },
    });
    const badOrder = await viewer.get('/api/records/Service?order=colour');
    expect(badOrder.json()).toMatchObject({ error: { fields: { order: 'colour' } } });
    const badLimit = await viewer.get('/api/records/Service?limit=0');
    expect(badLimit.statusCode).toBe(400);
    expect(badLimit.json()).toMatchObject({
      error: { code: 'input', fields: { limit: expect.any(String) } },
    });
    const badStatus = await viewer.get('/api/records/Service?lastStatus=great');
    expect(badStatus.json()).toMatchObject({
      error: { fields: { lastStatus: expect.any(String) } },
    });
    const badRecord = await root.post('/api/records/Service', {
      host: hosts['local'],
      port: 'eighty',
      colour: 'red',
    });
    expect(badRecord.statusCode).toBe(400);
    expect(badRecord.json()).toMatchObject({
      error: {
        code: 'input',
        fields: { name: expect.any(String), port: expect.any(String), colour: expect.any(String) },
      },
    });
    const badRef = await root.post('/api/records/Service', { host: 999, name: 'x' });
    expect(badRef.json()).toMatchObject({ error: { fields: { host: 'no Host with id 999' } } });
    const badHost = await root.post('/api/records/Host', { name: 'not valid!' });
    expect(badHost.statusCode).toBe(400);
    expect(badHost.json()).toMatchObject({ error: { fields: { name: expect.any(String) } } });
    const badConfig = await root.post('/api/hosts', { name: 'cfg', config: { colour: 'red' } });
    expect(badConfig.json()).toMatchObject({
      error: { fields: { config: expect.stringContaining('colour') } },
    });
    expect((await root.get('/api/records/Nope')).statusCode).toBe(404);
    expect((await root.get('/api/records/Service/abc')).json()).toMatchObject({
      error: { fields: { id: expect.any(String) } },
    });
    expect((await root.get('/api/records/Service/999')).statusCode).toBe(404);
  });

  it('creates, gets, changes and deletes records (Host through the host rules)', async () => {
    const created = await root.post('/api/records/Service', {
      host: hosts['local'],
      name: 'memcached',
      kind: 'cache',
    });
    expect(created.statusCode).toBe(201);
    const { id } = created.json<{ id: number }>();
    expect((await root.get(`/api/records/Service/${id}`)).json()).toMatchObject({
      name: 'memcached',
      port: null,
      _label: 'memcached (Service #5)',
    });
    const changed = await root.patch(`/api/records/Service/${id}`, { port: 11211 });
    expect(changed.json()).toMatchObject({ port: 11211, name: 'memcached' });
    expect((await root.delete(`/api/records/Service/${id}`)).statusCode).toBe(204);
    expect((await root.get(`/api/records/Service/${id}`)).statusCode).toBe(404);

    const host = await root.post('/api/records/Host', {
      name: 'db-9',
      port: 2222,
      groups: ['web'],
    });
    expect(host.statusCode).toBe(201);
    const hostId = host.json<{ id: number }>().id;
    expect(host.json()).toMatchObject({ name: 'db-9', groups: ['web'], _label: 'db-9' });
    expect(
      (await root.patch(`/api/records/Host/${hostId}`, { name: 'db-10', groups: [] })).json(),
    ).toMatchObject({ name: 'db-10', groups: [] });
    expect((await root.post('/api/records/Host', { name: 'db-10' })).statusCode).toBe(409);
    expect((await root.delete(`/api/records/Host/${hostId}`)).statusCode).toBe(204);
  });

  it('refuses with 403 what the model permissions do not allow', async () => {
    const svc = (await root.get('/api/records/Service?limit=1')).json<{ items: { id: number }[] }>()
      .items[0]?.id as number;
    const attempts = [
      await nobody.get('/api/records/Service'),
      await nobody.get(`/api/records/Service/${svc}`),
      await viewer.post('/api/records/Service', { host: hosts['local'], name: 'x' }),
      await viewer.patch(`/api/records/Service/${svc}`, { port: 1 }),
      await viewer.delete(`/api/records/Service/${svc}`),
      await nobody.get('/api/hosts'),
      await viewer.post('/api/hosts', { name: 'x-1' }),
      await viewer.patch('/api/hosts/local', { comment: 'x' }),
      await viewer.delete('/api/hosts/local'),
      await viewer.post('/api/hosts/import', { text: 'Host x\n' }),
      await nobody.get('/api/groups'),
      await viewer.post('/api/groups', { name: 'g' }),
    ];
    for (const response of attempts) {
      expect(response.statusCode, response.body).toBe(403);
      expect(response.json()).toMatchObject({
        error: {
          code: 'permission_denied',
          message: expect.stringMatching(/needs the permission \w+_(service|host)/),
        },
      });
    }
  });

  it('manages hosts by name, imports OpenSSH configs and host groups', async () => {
    const added = await root.post('/api/hosts', {
      name: 'app-1',
      hostname: '10.0.0.5',
      user: 'deploy',
      config: 'port: 2200',
      groups: ['web'],
    });
    expect(added.statusCode).toBe(201);
    expect(added.json()).toMatchObject({ name: 'app-1', config: { port: 2200 }, groups: ['web'] });
    expect((await viewer.get('/api/hosts/app-1')).json()).toMatchObject({ hostname: '10.0.0.5' });
    expect(
      (await root.patch('/api/hosts/app-1', { disabled: true, groups: [] })).json(),
    ).toMatchObject({ disabled: true, groups: [] });
    const list = (
      await viewer.get(`/api/hosts?where=${encodeURIComponent('groups.name = web')}`)
    ).json<{ items: { name: string }[] }>();
    expect(list.items.map((i) => i.name)).toEqual(['web-1', 'web-2']);
    expect((await root.delete('/api/hosts/app-1')).statusCode).toBe(204);
    expect((await root.get('/api/hosts/app-1')).statusCode).toBe(404);

    const config =
      'Host imp-1\n  HostName 10.1.0.1\n  User admin\nHost imp-2 *.wild\n  Port 2022\nHost local\n';
    const dry = await root.post('/api/hosts/import', { text: config, dryRun: true });
    expect(dry.json()).toEqual({
      dryRun: true,
      added: ['imp-1', 'imp-2'],
      skipped: [{ alias: 'local', reason: 'host already exists' }],
    });
    expect((await root.get('/api/hosts/imp-1')).statusCode).toBe(404);
    const real = await root.request({
      method: 'POST',
      url: '/api/hosts/import',
      headers: { 'content-type': 'text/plain' },
      payload: config,
    });
    expect(real.json()).toMatchObject({ dryRun: false, added: ['imp-1', 'imp-2'] });
    expect((await root.get('/api/hosts/imp-2')).json()).toMatchObject({ port: 2022 });

    const group = await root.post('/api/groups', { name: 'db', config: { user: 'postgres' } });
    expect(group.statusCode).toBe(201);
    expect((await root.post('/api/groups', { name: 'db' })).statusCode).toBe(409);
    expect((await viewer.get('/api/groups')).json()).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: 'web', hosts: 2 }),
        expect.objectContaining({ name: 'db', config: { user: 'postgres' } }),
      ]),
    );
  });

  it('shows the last session of each record and filters by it', async () => {
    const ids = (await root.get('/api/records/Service?where=kind%20in%20(db,%20cache)')).json<{
      items: { id: number; name: string }[];
    }>().items;
    const postgres = ids.find((i) => i.name === 'postgres')?.id as number;
    const redis = ids.find((i) => i.name === 'redis')?.id as number;
    const { runs } = h.runtime;
    // Two runs on postgres (the newer one fails), one on redis, written as the executor would.
    const write = async (objectId: number, result: 'success' | 'error') => {
      const { recordIds } = await runs.createRun({
        session: 'Hello',
        verboseName: 'Hello',
        model: 'Service',
        userId: null,
        data: {},
        records: [
          { objectId, objectLabel: 'x', hostId: hosts['local'] as number, hostName: 'local' },
        ],
      });
      await runs.finish(recordIds[0] as number, 'completed', result, 5);
      return recordIds[0] as number;
    };
    await write(postgres, 'success');
    const newest = await write(postgres, 'error');
    await write(redis, 'success');
    const page = (await viewer.get('/api/records/Service?order=name')).json<{
      items: {
        name: string;
        _lastSession: { id: number; result: string; session: string } | null;
      }[];
    }>();
    const last = Object.fromEntries(page.items.map((i) => [i.name, i._lastSession]));
    expect(last['postgres']).toMatchObject({
      id: newest,
      result: 'error',
      session: 'Hello',
      processState: 'completed',
    });
    expect(last['redis']).toMatchObject({ result: 'success' });
    expect(last['nginx']).toBeNull();
    const failed = (await viewer.get('/api/records/Service?lastStatus=error')).json<{
      items: { name: string }[];
      total: number;
    }>();
    expect(failed).toMatchObject({ total: 1, items: [{ name: 'postgres' }] });
    const ok = (
      await viewer.get('/api/records/Service?lastStatus=success&where=kind%20%3D%20cache')
    ).json<{ items: { name: string }[] }>();
    expect(ok.items.map((i) => i.name)).toEqual(['redis']);
    // Several results match any of them, comma-separated or repeated; a wrong one is named.
    for (const query of ['lastStatus=error,success', 'lastStatus=error&lastStatus=success']) {
      const either = (await viewer.get(`/api/records/Service?${query}&order=name`)).json<{
        items: { name: string }[];
      }>();
      expect(either.items.map((i) => i.name)).toEqual(['postgres', 'redis']);
    }
    const wrong = await viewer.get('/api/records/Service?lastStatus=error,great');
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json()).toMatchObject({
      error: { message: 'lastStatus "great": use success, warning, error' },
    });
  });
});
