import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startApiHarness, type ApiHarness, type Caller } from '../../test-support/api-harness.js';
import { backendFactories } from '../../test-support/databases.js';
import { runFinished } from '../../test-support/run-waiter.js';
import type { AuditEntry } from '../audit/audit-log.js';

// The credentials store's key from the environment, so that no key file is written here.
process.env['MINKE_SECRET_KEY'] = randomBytes(32).toString('base64');

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'minke-api-audit-'));
});
afterAll(() => rm(tmp, { recursive: true, force: true }));

const storedPassword = 'audit-pw-5512-never-in-the-log';
const newLoginPassword = 'new-login-pw-8830-never-logged';
const envReference = 'AUDIT_SUDO_PASSWORD_VARIABLE';

describe.each(backendFactories(() => tmp))('audit log through the API on $name', ({ make }) => {
  let h: ApiHarness;
  let root: Caller;

  beforeEach(async () => {
    h = await startApiHarness(make());
    await h.user('root', { superuser: true });
    await h.user('auditor', { permissions: ['view_audit'] });
    await h.user('plain', { permissions: ['view_host'] });
    root = await h.withToken('root');
  });
  afterEach(() => h.close());

  async function audit(caller: Caller, query = ''): Promise<AuditEntry[]> {
    const reply = await caller.get(`/api/audit${query}`);
    expect(reply.statusCode, reply.body).toBe(200);
    return reply.json<{ items: AuditEntry[] }>().items;
  }

  async function tableText(): Promise<string> {
    const rows = await h.project.database.db.selectFrom('minke_audit_log').selectAll().execute();
    return JSON.stringify(rows);
  }

  it('records each change with who, how and from where, and never a secret', async () => {
    const web = await h.withLogin('root');
    const plainId = (await h.project.users.get('plain')).id;
    const replies = [
      await root.post('/api/hosts', {
        name: 'local',
        config: { transport: 'local', sudo: { password: { env: envReference } } },
      }),
      await root.patch('/api/hosts/local', { comment: 'the server itself' }),
      await root.post('/api/credentials', {
        name: 'db-root',
        type: 'password',
        password: storedPassword,
      }),
      await web.patch(`/api/users/${plainId}`, { password: newLoginPassword }),
      await web.patch(`/api/users/${plainId}`, { permissions: ['view_host', 'view_service'] }),
      await root.post('/api/tokens', { name: 'nightly', user: 'plain' }),
    ];
    expect(replies.map((r) => r.statusCode)).toEqual([201, 200, 201, 200, 200, 201]);
    const token = replies[5]?.json<{ token: string }>().token ?? 'missing';

    const host = (await h.project.hosts.get('local')).id;
    const service = Number(
      (await h.project.records.create('Service', { host, name: 'nginx' }))['id'],
    );
    const started = await root.post('/api/runs', {
      session: 'Hello',
      model: 'Service',
      ids: [service],
    });
    expect(started.statusCode).toBe(201);
    const runId = started.json<{ id: number }>().id;
    await runFinished(h.runtime.bus, runId, 30_000);

    const rows = await audit(root, '?limit=100');
    const actions = rows.map((row) => row.action).reverse();
    expect(actions).toEqual(
      expect.arrayContaining([
        'host.create',
        'host.update',
        'credential.create',
        'user.update',
        'token.create',
        'run.start',
      ]),
    );
    const byAction = (action: string) => rows.find((row) => row.action === action);
    expect(byAction('host.create')).toMatchObject({
      actor: { name: 'root' },
      via: 'token test',
      ip: '127.0.0.1',
      target: { type: 'host', name: 'local' },
      after: { config: { sudo: { password: '[secret]' } } },
    });
    expect(byAction('credential.create')).toMatchObject({
      target: { type: 'credential', name: 'db-root' },
      after: { name: 'db-root', type: 'password' },
    });
    const passwordChange = rows.find(
      (row) =>
        row.action === 'user.update' &&
        (row.after as { passwordChanged?: boolean }).passwordChanged,
    );
    expect(passwordChange).toMatchObject({ via: 'web session', target: { name: 'plain' } });
    expect(byAction('run.start')).toMatchObject({
      target: { type: 'run', id: String(runId), name: 'Hello' },
    });

    const text = await tableText();
    for (const secret of [storedPassword, newLoginPassword, envReference, token])
      expect(text).not.toContain(secret);
  });

  it("records a user model's records created, changed and deleted, with before and after", async () => {
    await h.project.hosts.add({ name: 'local', config: { transport: 'local' } });
    const host = (await h.project.hosts.get('local')).id;
    const created = await root.post('/api/records/Service', { host, name: 'nginx' });
    expect(created.statusCode, created.body).toBe(201);
    const id = created.json<{ id: number }>().id;
    expect((await root.patch(`/api/records/Service/${id}`, { name: 'caddy' })).statusCode).toBe(
      200,
    );
    expect((await root.delete(`/api/records/Service/${id}`)).statusCode).toBe(204);
    const rows = await audit(root, '?action=record');
    expect(rows.map((row) => [row.action, row.target.type, row.target.id, row.actor.name])).toEqual(
      [
        ['record.delete', 'Service', String(id), 'root'],
        ['record.update', 'Service', String(id), 'root'],
        ['record.create', 'Service', String(id), 'root'],
      ],
    );
    expect(rows[1]).toMatchObject({ before: { name: 'nginx' }, after: { name: 'caddy' } });
  });

  it('is read by superusers and view_audit only, with filters', async () => {
    await root.post('/api/hosts', { name: 'web1', hostname: '127.0.0.1' });
    await root.post('/api/hosts', { name: 'web2', hostname: '127.0.0.1' });
    await root.patch('/api/hosts/web2', { comment: 'second' });

    const plain = await h.withToken('plain');
    const refused = await plain.get('/api/audit');
    expect(refused.statusCode).toBe(403);
    expect(refused.json()).toMatchObject({
      error: { message: 'you may not read the audit log: it needs view_audit' },
    });

    const auditor = await h.withToken('auditor');
    expect((await audit(auditor, '?target=web2')).map((r) => r.action)).toEqual([
      'host.update',
      'host.create',
    ]);
    expect((await audit(auditor, '?action=host.update')).map((r) => r.target.name)).toEqual([
      'web2',
    ]);
    expect((await audit(auditor, '?actor=root&action=host')).length).toBe(3);
    const bad = await auditor.get('/api/audit?since=soon');
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({
      error: { message: expect.stringContaining('since "soon": expected a date') },
    });
  });
});
