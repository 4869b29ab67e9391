import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startApiHarness, type ApiHarness, type Caller } from '../../test-support/api-harness.js';
import { backendFactories } from '../../test-support/databases.js';

// The harness's project lives in the working folder: the key comes from the environment so that
// no key file is written there.
process.env['MINKE_SECRET_KEY'] = randomBytes(32).toString('base64');

let tmp: string;
let privateKey: string;
let fingerprint: string;
const password = 'api-pw-4471-never-shown';

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'minke-api-credentials-'));
  const file = join(tmp, 'id_ed25519');
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'api', '-f', file]);
  privateKey = await readFile(file, 'utf8');
  fingerprint =
    execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', `${file}.pub`], {
      encoding: 'utf8',
    }).split(' ')[1] ?? '';
});
afterAll(() => rm(tmp, { recursive: true, force: true }));

describe.each(backendFactories(() => tmp))('credentials API on $name', ({ make }) => {
  let h: ApiHarness;
  let root: Caller;
  let keeper: Caller;
  let plain: Caller;
  let editor: Caller;
  let backendCleanup: () => Promise<void>;

  beforeEach(async () => {
    const backend = make();
    backendCleanup = () => backend.cleanup();
    h = await startApiHarness(backend);
    await h.user('root', { superuser: true });
    await h.user('keeper', { permissions: ['manage_credentials'] });
    await h.user('plain', { permissions: ['view_host', 'add_host', 'change_host'] });
    await h.user('editor', { permissions: ['view_host', 'add_host', 'change_host'] });
    root = await h.withToken('root');
    keeper = await h.withToken('keeper');
    plain = await h.withToken('plain');
    editor = await h.withToken('editor');
  });
  afterEach(async () => {
    await h.close();
    await backendCleanup();
  });

  const put = (caller: Caller, url: string, body: unknown) =>
    caller.request({ method: 'PUT', url, payload: body as object });

  it('creates, lists, replaces and deletes, and never sends a secret back', async () => {
    const replies = [
      await keeper.post('/api/credentials', { name: 'db-root', type: 'password', password }),
      await keeper.post('/api/credentials', { name: 'deploy', type: 'ssh-key', privateKey }),
      await keeper.get('/api/credentials'),
      await put(keeper, '/api/credentials/db-root', { type: 'password', password: `${password}2` }),
    ];
    expect(replies.map((r) => r.statusCode)).toEqual([201, 201, 200, 200]);
    const list = replies[2]?.json() as Record<string, unknown>[];
    expect(list.map((c) => [c['name'], c['type'], c['fingerprint'], c['createdBy']])).toEqual([
      ['db-root', 'password', null, 'keeper'],
      ['deploy', 'ssh-key', fingerprint, 'keeper'],
    ]);
    expect(replies[3]?.json()).toMatchObject({ name: 'db-root', updatedBy: 'keeper' });
    for (const reply of replies) {
      expect(reply.body).not.toContain(password);
      expect(reply.body).not.toContain(privateKey.split('\n')[1]);
    }
    // PATCH (the web admin's edit) may leave the type out: the fields say it.
    const retyped = await keeper.patch('/api/credentials/db-root', { privateKey });
    expect(retyped.json()).toMatchObject({ name: 'db-root', type: 'ssh-key', fingerprint });
    const empty = await keeper.patch('/api/credentials/db-root', {});
    expect(empty.statusCode).toBe(400);
    expect(empty.json()).toMatchObject({
      error: { message: 'a password credential needs a password' },
    });
    expect(retyped.body + empty.body).not.toContain(privateKey.split('\n')[1]);
    expect((await root.delete('/api/credentials/deploy')).statusCode).toBe(204);
    expect((await root.get('/api/credentials')).json()).toMatchObject([{ name: 'db-root' }]);
  });

  it('is refused without manage_credentials, and bad input is a 400 that quotes nothing', async () => {
    for (const reply of [
      await plain.get('/api/credentials'),
      await plain.post('/api/credentials', { name: 'x', type: 'password', password }),
      await put(plain, '/api/credentials/x', { type: 'password', password }),
      await plain.delete('/api/credentials/x'),
    ]) {
      expect(reply.statusCode).toBe(403);
      expect(reply.json()).toEqual({
        error: {
          code: 'permission_denied',
          message:
            'only superusers may manage credentials (or hold the permission manage_credentials)',
        },
      });
    }
    const bad = await keeper.post('/api/credentials', {
      name: 'k',
      type: 'ssh-key',
      privateKey: password,
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({
      error: { message: 'credential k: not a supported private key (OpenSSH or PEM)' },
    });
    expect(bad.body).not.toContain(password);
    const missing = await put(keeper, '/api/credentials/nope', { type: 'password', password });
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toMatchObject({ error: { message: 'credential nope does not exist' } });
  });

  it('lets only use_credential holders point hosts and groups at a credential', async () => {
    await root.post('/api/credentials', { name: 'db-root', type: 'password', password });
    await root.post('/api/credentials', { name: 'deploy', type: 'ssh-key', privateKey });
    await h.project.permissions.grant(await h.project.users.get('editor').then((u) => u.id), [
      'use_credential:deploy',
    ]);
    const keyConfig = { key: { credential: 'deploy' }, agent: false };

    const refused = await plain.post('/api/hosts', { name: 'web-1', config: keyConfig });
    expect(refused.statusCode).toBe(403);
    expect(refused.json()).toMatchObject({
      error: {
        message:
          'you may not use credential deploy: it needs the permission use_credential:deploy (or use_credential)',
      },
    });
    expect((await plain.get('/api/hosts/web-1')).statusCode).toBe(404);

    expect((await editor.post('/api/hosts', { name: 'web-1', config: keyConfig })).statusCode).toBe(
      201,
    );
    // A reference someone else set stays editable around; adding another needs its permission.
    expect((await plain.patch('/api/hosts/web-1', { comment: 'front' })).statusCode).toBe(200);
    const sudo = await editor.patch('/api/hosts/web-1', {
      config: { ...keyConfig, sudo: { password: { credential: 'db-root' } } },
    });
    expect(sudo.statusCode).toBe(403);
    expect(sudo.json()).toMatchObject({
      error: { message: expect.stringContaining('use_credential:db-root') as unknown },
    });

    // A group that hands out db-root: joining it is using it.
    await root.post('/api/groups', {
      name: 'db',
      config: { sudo: { password: { credential: 'db-root' } } },
    });
    const join = await editor.patch('/api/hosts/web-1', { groups: ['db'] });
    expect(join.statusCode).toBe(403);
    expect(join.json()).toMatchObject({
      error: {
        message:
          'joining host group db (its config uses credential db-root) needs the permission use_credential:db-root (or use_credential)',
      },
    });
    const group = await editor.post('/api/groups', {
      name: 'keys',
      config: { password: { credential: 'db-root' } },
    });
    expect(group.statusCode).toBe(403);

    // A host that receives db-root's password cannot be pointed elsewhere by one who may not use it.
    await root.post('/api/hosts', {
      name: 'db-1',
      hostname: '127.0.0.1',
      groups: ['db'],
    });
    const moved = await plain.patch('/api/hosts/db-1', { hostname: '127.0.0.2' });
    expect(moved.statusCode).toBe(403);
    expect(moved.json()).toMatchObject({
      error: {
        message:
          'changing where host db-1 connects (it receives credential db-root) needs the permission use_credential:db-root (or use_credential)',
      },
    });
    expect((await h.project.hosts.get('db-1'))['hostname']).toBe('127.0.0.1');
  });
});
