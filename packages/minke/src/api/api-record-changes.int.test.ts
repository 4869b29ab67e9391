import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RecordChangesPage } from '@minke/contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiHarness, type ApiHarness, type Caller } from '../../test-support/api-harness.js';
import { backendFactories } from '../../test-support/databases.js';

const tmp = mkdtempSync(join(tmpdir(), 'minke-api-record-changes-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** The changes as a person reads them: action, who, and `field before → after`. */
const readable = (page: RecordChangesPage) =>
  page.items.map((change) => [
    change.action,
    change.actor.name,
    change.via,
    ...change.fields.map(
      (f) => `${f.field} ${JSON.stringify(f.before)} → ${JSON.stringify(f.after)}`,
    ),
  ]);

describe.each(backendFactories(() => tmp))("a record's changes on $name", ({ make }) => {
  let h: ApiHarness;
  let root: Caller;
  let viewer: Caller;
  let nobody: Caller;
  let hostId: number;

  beforeAll(async () => {
    h = await startApiHarness(make());
    await h.user('root', { superuser: true });
    await h.user('viewer', { permissions: ['view_service', 'view_host'] });
    await h.user('nobody');
    root = await h.withToken('root');
    viewer = await h.withToken('viewer');
    nobody = await h.withToken('nobody');
    await h.project.hosts.addGroup({ name: 'web' });
    hostId = (await h.project.hosts.add({ name: 'web-1', config: { transport: 'local' } })).id;
  });
  afterAll(() => h.close());

  it('lists who changed a record, when and how, each field before → after, newest first', async () => {
    const created = await root.post('/api/records/Service', {
      host: hostId,
      name: 'nginx',
      port: 80,
    });
    expect(created.statusCode).toBe(201);
    const id = created.json<{ id: number }>().id;
    expect((await root.patch(`/api/records/Service/${id}`, { port: 8080 })).statusCode).toBe(200);
    // A write that changes nothing is audited, with no field changed.
    expect((await root.patch(`/api/records/Service/${id}`, { port: 8080 })).statusCode).toBe(200);
    expect(
      (await root.patch(`/api/records/Service/${id}`, { kind: 'db', port: null })).statusCode,
    ).toBe(200);

    const page = (await viewer.get(`/api/records/Service/${id}/changes`)).json<RecordChangesPage>();
    expect(readable(page)).toEqual([
      ['record.update', 'root', 'token test', 'kind "web" → "db"', 'port 8080 → null'],
      ['record.update', 'root', 'token test'],
      ['record.update', 'root', 'token test', 'port 80 → 8080'],
      [
        'record.create',
        'root',
        'token test',
        `host null → ${hostId}`,
        'name null → "nginx"',
        'kind null → "web"',
        'port null → 80',
      ],
    ]);
    expect(page.total).toBe(4);
    expect(page.items[0]?.at).toMatch(/^\d{4}-\d\d-\d\dT/);
    // Paged, newest first.
    const second = (
      await viewer.get(`/api/records/Service/${id}/changes?limit=1&offset=2`)
    ).json<RecordChangesPage>();
    expect([second.total, second.items.map((c) => c.fields.map((f) => f.field))]).toEqual([
      4,
      [['port']],
    ]);

    // A deleted record's changes stay readable, its delete on top.
    expect((await root.delete(`/api/records/Service/${id}`)).statusCode).toBe(204);
    const after = (
      await viewer.get(`/api/records/Service/${id}/changes`)
    ).json<RecordChangesPage>();
    expect(readable(after)[0]).toEqual([
      'record.delete',
      'root',
      'token test',
      `host ${hostId} → null`,
      'name "nginx" → null',
      'kind "db" → null',
    ]);
  });

  it("reads a host's changes from the host operations' audit rows, secrets redacted", async () => {
    const id = (
      await h.project.hosts.add({
        name: 'db-1',
        hostname: '127.0.0.2',
        config: { sudo: { password: { env: 'DB1_SUDO_HUNTER2' } } },
      })
    ).id;
    await h.project.hosts.update('db-1', { groups: ['web'], port: 2222 });
    await h.project.hosts.update('db-1', {
      config: { sudo: { password: { env: 'DB1_SUDO_SWORDFISH' } } },
    });
    const page = (await viewer.get(`/api/records/Host/${id}/changes`)).json<RecordChangesPage>();
    expect(readable(page)).toEqual([
      [
        'host.update',
        'operator (CLI)',
        'cli',
        'config {"sudo":{"password":"[secret]"}} → {"sudo":{"password":"[secret changed]"}}',
      ],
      ['host.update', 'operator (CLI)', 'cli', 'port null → 2222', 'groups null → ["web"]'],
      [
        'host.create',
        'operator (CLI)',
        'cli',
        'name null → "db-1"',
        'hostname null → "127.0.0.2"',
        'config null → {"sudo":{"password":"[secret]"}}',
        'disabled null → false',
      ],
    ]);
    expect(JSON.stringify(page)).not.toMatch(/hunter2|swordfish/);
  });

  it("needs the model's view permission", async () => {
    const refused = await nobody.get(`/api/records/Service/1/changes`);
    expect(refused.statusCode).toBe(403);
    expect(refused.json()).toMatchObject({
      error: { code: 'permission_denied', message: expect.stringMatching(/view_service/) },
    });
    const hostsOnly = await viewer.get(`/api/records/Host/${hostId}/changes`);
    expect(hostsOnly.statusCode).toBe(200);
    expect((await viewer.get(`/api/records/Nope/1/changes`)).statusCode).toBe(404);
  });
});
