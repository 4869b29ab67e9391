import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  PASSWORD,
  startApiHarness,
  type ApiHarness,
  type Caller,
} from '../../test-support/api-harness.js';
import { sqliteBackend } from '../../test-support/databases.js';

let h: ApiHarness;
let root: Caller;
let plain: Caller;
beforeAll(async () => {
  h = await startApiHarness(sqliteBackend());
  await h.user('root', { superuser: true });
  await h.user('plain', { permissions: ['view_host'] });
  root = await h.withToken('root');
  plain = await h.withToken('plain');
});
afterAll(() => h.close());

describe('users, user groups and permissions', () => {
  it('are for superusers only', async () => {
    for (const response of [
      await plain.get('/api/users'),
      await plain.post('/api/users', { username: 'x', password: PASSWORD }),
      await plain.get('/api/users/1'),
      await plain.patch('/api/users/1', { isSuperuser: false }),
      await plain.get('/api/user-groups'),
      await plain.post('/api/user-groups', { name: 'ops' }),
      await plain.patch('/api/user-groups/1', { name: 'ops' }),
      await plain.get('/api/permissions'),
    ]) {
      expect(response.statusCode).toBe(403);
      expect(response.json()).toEqual({
        error: { code: 'permission_denied', message: 'only superusers may manage users' },
      });
    }
  });

  it('creates users with groups and permissions, validating every field', async () => {
    const group = await root.post('/api/user-groups', {
      name: 'ops',
      permissions: ['view_service', 'run_hello'],
    });
    expect(group.statusCode).toBe(201);
    expect(group.json()).toMatchObject({
      name: 'ops',
      permissions: ['run_hello', 'view_service'],
      members: 0,
    });
    const created = await root.post('/api/users', {
      username: 'erin',
      password: PASSWORD,
      groups: ['ops'],
      permissions: ['view_host'],
    });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({
      username: 'erin',
      isSuperuser: false,
      isActive: true,
      groups: ['ops'],
      permissions: ['view_host'],
    });
    expect(created.body).not.toContain('password');
    const erin = await h.withLogin('erin');
    expect((await erin.get('/api/auth/me')).json()).toMatchObject({
      permissions: ['run_hello', 'view_host', 'view_service'],
    });
    expect((await erin.get('/api/sessions?model=Service')).json()).toEqual([
      expect.objectContaining({ name: 'Hello' }),
    ]);

    const invalid = [
      [{ username: 'bad name!', password: PASSWORD }, { username: 'invalid' }],
      [{ username: 'short', password: 'x' }, { password: 'too short' }],
      [{ username: 'fay', password: PASSWORD, groups: ['nope'] }, { groups: 'unknown: nope' }],
      [
        { username: 'fay', password: PASSWORD, permissions: ['fly'] },
        { permissions: 'unknown: fly' },
      ],
      [{ username: 'fay' }, { password: expect.any(String) }],
    ] as const;
    for (const [body, fields] of invalid) {
      const response = await root.post('/api/users', body);
      expect(response.statusCode, JSON.stringify(body)).toBe(400);
      expect(response.json()).toMatchObject({ error: { code: 'input', fields } });
    }
    expect(
      (await root.get('/api/users')).json<{ username: string }[]>().map((u) => u.username),
    ).not.toContain('fay');
    expect(
      (await root.post('/api/users', { username: 'erin', password: PASSWORD })).statusCode,
    ).toBe(409);
    expect((await root.post('/api/user-groups', { name: 'ops' })).statusCode).toBe(409);
  });

  it('changes users: a new password or a disabled account ends their sessions and tokens stop', async () => {
    const id = (await root.get('/api/users'))
      .json<{ id: number; username: string }[]>()
      .find((u) => u.username === 'erin')?.id;
    const erin = await h.withLogin('erin');
    const erinToken = await h.withToken('erin');
    const changed = await root.patch(`/api/users/${id}`, {
      password: 'another long password',
      permissions: [],
    });
    expect(changed.json()).toMatchObject({ permissions: [], groups: ['ops'] });
    expect((await erin.get('/api/auth/me')).statusCode).toBe(401);
    expect((await erinToken.get('/api/auth/me')).statusCode).toBe(200);
    await root.patch(`/api/users/${id}`, { isActive: false });
    expect((await erinToken.get('/api/auth/me')).statusCode).toBe(401);
    const login = await h.app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { username: 'erin', password: 'another long password' },
    });
    expect(login.statusCode).toBe(401);
    await root.patch(`/api/users/${id}`, { isActive: true, isSuperuser: true });
    expect((await erinToken.get('/api/auth/me')).json()).toMatchObject({ isSuperuser: true });
    expect((await root.patch(`/api/users/${id}`, { password: 'short' })).json()).toMatchObject({
      error: { fields: { password: 'too short' } },
    });
    expect((await root.patch('/api/users/9999', { isActive: true })).statusCode).toBe(404);
    expect((await root.get(`/api/users/${id}`)).json()).toMatchObject({
      username: 'erin',
      isActive: true,
    });
  });

  it('changes groups and lists the permissions', async () => {
    const groups = (await root.get('/api/user-groups')).json<
      { id: number; name: string; members: number }[]
    >();
    const ops = groups.find((g) => g.name === 'ops');
    expect(ops?.members).toBe(1);
    const renamed = await root.patch(`/api/user-groups/${ops?.id}`, {
      name: 'operators',
      permissions: ['view_host'],
    });
    expect(renamed.json()).toMatchObject({ name: 'operators', permissions: ['view_host'] });
    const permissions = (await root.get('/api/permissions')).json<
      { codename: string; name: string }[]
    >();
    expect(permissions).toEqual(
      expect.arrayContaining([
        { codename: 'run_hello', name: 'Can run Hello' },
        { codename: 'view_service', name: 'Can view Service' },
      ]),
    );
  });
});
