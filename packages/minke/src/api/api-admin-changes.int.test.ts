import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  PASSWORD,
  startApiHarness,
  type ApiHarness,
  type Caller,
} from '../../test-support/api-harness.js';
import { backendFactories, sqliteBackend } from '../../test-support/databases.js';
import { UserAdmin } from '../operations/user-admin.js';

const tmp = mkdtempSync(join(tmpdir(), 'minke-api-admin-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe.each(backendFactories(() => tmp))('host groups and users admin on $name', ({ make }) => {
  let h: ApiHarness;
  let root: Caller;
  let changer: Caller;
  let viewer: Caller;
  let rootId: number;

  beforeAll(async () => {
    h = await startApiHarness(make());
    rootId = await h.user('root', { superuser: true });
    await h.user('changer', { permissions: ['view_host', 'change_host'] });
    await h.user('viewer', { permissions: ['view_host'] });
    root = await h.withToken('root');
    changer = await h.withToken('changer');
    viewer = await h.withToken('viewer');
    await h.project.hosts.addGroup({ name: 'base', config: { user: 'deploy' } });
    await h.project.hosts.addGroup({ name: 'web', config: { port: 2222 } });
    await h.project.hosts.add({ name: 'web-1', groups: ['base'] });
    await h.project.hosts.add({ name: 'web-2', groups: ['web', 'base'] });
    await h.project.hosts.add({ name: 'db-1' });
  });
  afterAll(() => h.close());

  it('edits a host group: config, comment, members (joining hosts get it last), rename', async () => {
    const changed = await changer.patch('/api/groups/web', {
      config: 'user: www\nport: 2200\n',
      comment: 'front ends',
      members: ['web-1', 'web-2'],
    });
    expect(changed.statusCode).toBe(200);
    expect(changed.json()).toMatchObject({
      name: 'web',
      config: { user: 'www', port: 2200 },
      comment: 'front ends',
      hosts: 2,
      members: ['web-1', 'web-2'],
    });
    // web-1 joined: the group applies after its own; web-2 stayed: its order is kept.
    expect((await viewer.get('/api/hosts/web-1')).json()).toMatchObject({
      groups: ['base', 'web'],
    });
    expect((await viewer.get('/api/hosts/web-2')).json()).toMatchObject({
      groups: ['web', 'base'],
    });

    const renamed = await changer.patch('/api/groups/web', { name: 'front', members: ['web-1'] });
    expect(renamed.json()).toMatchObject({ name: 'front', members: ['web-1'] });
    expect((await viewer.get('/api/hosts/web-1')).json()).toMatchObject({
      groups: ['base', 'front'],
    });
    expect((await viewer.get('/api/hosts/web-2')).json()).toMatchObject({ groups: ['base'] });
    expect((await viewer.get('/api/groups/front')).json()).toMatchObject({
      name: 'front',
      members: ['web-1'],
    });
    expect((await viewer.get('/api/groups/web')).statusCode).toBe(404);
  });

  it('refuses bad group changes with the fields at fault, and changes nothing', async () => {
    const badConfig = await changer.patch('/api/groups/base', { config: { prot: 22 } });
    expect(badConfig.statusCode).toBe(400);
    expect(badConfig.json()).toMatchObject({
      error: { code: 'input', fields: { config: expect.stringContaining('prot') } },
    });
    const unknownHost = await changer.patch('/api/groups/base', {
      comment: 'x',
      members: ['web-1', 'nope'],
    });
    expect(unknownHost.statusCode).toBe(400);
    expect(unknownHost.json()).toMatchObject({
      error: { message: 'unknown host(s): nope', fields: { members: 'unknown: nope' } },
    });
    const taken = await changer.patch('/api/groups/base', { name: 'front' });
    expect(taken.statusCode).toBe(409);
    const badName = await changer.patch('/api/groups/base', { name: 'not a name!' });
    expect(badName.statusCode).toBe(400);
    const extra = await changer.patch('/api/groups/base', { colour: 'red' });
    expect(extra.statusCode).toBe(400);
    expect((await changer.patch('/api/groups/missing', { comment: 'x' })).statusCode).toBe(404);
    expect((await viewer.get('/api/groups/base')).json()).toMatchObject({
      config: { user: 'deploy' },
      comment: null,
      members: ['web-1', 'web-2'],
    });
  });

  it('removes a host group; its hosts stay, without it', async () => {
    await changer.post('/api/groups', { name: 'temp' });
    await changer.patch('/api/groups/temp', { members: ['db-1'] });
    expect((await changer.delete('/api/groups/temp')).statusCode).toBe(204);
    expect((await viewer.get('/api/hosts/db-1')).json()).toMatchObject({
      name: 'db-1',
      groups: [],
    });
    expect((await viewer.get('/api/groups/temp')).statusCode).toBe(404);
    expect((await changer.delete('/api/groups/temp')).statusCode).toBe(404);
  });

  it('needs change_host to edit or remove a group, and a login for anything', async () => {
    for (const response of [
      await viewer.patch('/api/groups/base', { comment: 'mine' }),
      await viewer.delete('/api/groups/base'),
    ]) {
      expect(response.statusCode).toBe(403);
      expect(response.json()).toMatchObject({
        error: { message: expect.stringContaining('change_host') },
      });
    }
    expect((await h.anonymous.patch('/api/groups/base', { comment: 'x' })).statusCode).toBe(401);
    expect((await h.anonymous.delete('/api/groups/base')).statusCode).toBe(401);
    expect((await viewer.get('/api/groups/base')).json()).toMatchObject({ comment: null });
  });

  it('deletes a user: tokens stop working, their runs stay; superusers only', async () => {
    const goneId = await h.user('gone', { permissions: ['view_host', 'run_hello'] });
    const gone = await h.withToken('gone');
    await h.project.hosts.add({ name: 'local', config: { transport: 'local' } });
    const run = (
      await gone.post('/api/runs', { session: 'Hello', model: 'Host', ids: ['local'] })
    ).json<{ id: number }>().id;

    expect((await changer.delete(`/api/users/${goneId}`)).statusCode).toBe(403);
    expect((await h.anonymous.delete(`/api/users/${goneId}`)).statusCode).toBe(401);
    expect((await root.delete(`/api/users/${goneId}`)).statusCode).toBe(204);
    expect((await gone.get('/api/auth/me')).statusCode).toBe(401);
    expect((await root.get(`/api/users/${goneId}`)).statusCode).toBe(404);
    expect((await root.delete(`/api/users/${goneId}`)).statusCode).toBe(404);
    // The run is kept, ownerless: superusers still see it.
    expect((await root.get(`/api/runs/${run}`)).json()).toMatchObject({ id: run, userId: null });
  });

  it('refuses to delete yourself or the last superuser, with a clear 409', async () => {
    const self = await root.delete(`/api/users/${rootId}`);
    expect(self.statusCode).toBe(409);
    expect(self.json()).toMatchObject({
      error: {
        code: 'conflict',
        message: 'you cannot delete your own account (root): ask another superuser',
      },
    });
    // The CLI has no caller: only the last-superuser rule stands between it and a locked door.
    const admin = new UserAdmin(h.project.database);
    await expect(admin.remove(rootId)).rejects.toThrow(
      'root is the last active superuser: make another user a superuser first',
    );
    const secondId = await h.user('second', { superuser: true });
    const second = await h.withToken('second');
    expect((await second.delete(`/api/users/${rootId}`)).statusCode).toBe(204);
    expect((await second.delete(`/api/users/${secondId}`)).statusCode).toBe(409);
  });
});

describe('changing one own password', () => {
  let h: ApiHarness;

  beforeAll(async () => {
    h = await startApiHarness(sqliteBackend(), {
      loginRateLimit: { perUser: 4, perIp: 1000, windowMs: 60_000 },
    });
    await h.user('alice');
    await h.user('carol');
  });
  afterAll(() => h.close());

  const login = (username: string, password: string) =>
    h.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username, password } });

  it('checks the current password and the policy, then ends the other login sessions', async () => {
    const here = await h.withLogin('alice');
    const elsewhere = await h.withLogin('alice');
    const token = await h.withToken('alice');

    const wrong = await here.post('/api/auth/password', {
      currentPassword: 'not it at all',
      newPassword: 'a brand new secret',
    });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json()).toMatchObject({
      error: {
        message: 'the current password is wrong',
        fields: { currentPassword: 'wrong password' },
      },
    });
    const short = await here.post('/api/auth/password', {
      currentPassword: PASSWORD,
      newPassword: 'short',
    });
    expect(short.statusCode).toBe(400);
    expect(short.json()).toMatchObject({
      error: {
        message: expect.stringContaining('at least 8 characters'),
        fields: { newPassword: 'too short' },
      },
    });
    expect((await elsewhere.get('/api/auth/me')).statusCode).toBe(200); // nothing changed yet

    const changed = await here.post('/api/auth/password', {
      currentPassword: PASSWORD,
      newPassword: 'a brand new secret',
    });
    expect(changed.statusCode).toBe(200);
    // This browser is logged in again with new cookies; the other one is logged out.
    const cookies = Object.fromEntries(changed.cookies.map((c) => [c.name, c.value]));
    expect(cookies['minke_session']).toBeDefined();
    expect(cookies['minke_session']).not.toBe(here.cookies['minke_session']);
    expect(changed.json<{ csrfToken: string }>().csrfToken).toBe(cookies['minke_csrf']);
    const me = await h.app.inject({
      method: 'GET',
      url: '/api/auth/me',
      headers: { cookie: `minke_session=${cookies['minke_session']}` },
    });
    expect(me.json()).toMatchObject({ username: 'alice' });
    expect((await here.get('/api/auth/me')).statusCode).toBe(401);
    expect((await elsewhere.get('/api/auth/me')).statusCode).toBe(401);
    expect((await token.get('/api/auth/me')).statusCode).toBe(200); // API tokens are not logins

    expect((await login('alice', PASSWORD)).statusCode).toBe(401);
    expect((await login('alice', 'a brand new secret')).statusCode).toBe(200);
  });

  it('needs a login, a CSRF header with the cookie, and both fields', async () => {
    const body = { currentPassword: PASSWORD, newPassword: 'another good one' };
    expect((await h.anonymous.post('/api/auth/password', body)).statusCode).toBe(401);
    const carol = await h.withLogin('carol');
    const noCsrf = await h.app.inject({
      method: 'POST',
      url: '/api/auth/password',
      payload: body,
      headers: { cookie: `minke_session=${carol.cookies['minke_session']}` },
    });
    expect(noCsrf.statusCode).toBe(403);
    const missing = await carol.post('/api/auth/password', { newPassword: 'another good one' });
    expect(missing.statusCode).toBe(400);
    expect(missing.json()).toMatchObject({
      error: { fields: { currentPassword: expect.any(String) } },
    });
  });

  it('is rate-limited like logins: guessing the current password gets 429', async () => {
    const carol = await h.withLogin('carol');
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) {
      const response = await carol.post('/api/auth/password', {
        currentPassword: `guess ${i}`,
        newPassword: 'another good one',
      });
      statuses.push(response.statusCode);
    }
    expect(statuses.slice(0, 3).every((s) => s === 400)).toBe(true);
    expect(statuses.at(-1)).toBe(429);
    const limited = await carol.post('/api/auth/password', {
      currentPassword: PASSWORD,
      newPassword: 'another good one',
    });
    expect(limited.statusCode).toBe(429);
    expect(limited.json()).toMatchObject({
      error: {
        code: 'rate_limited',
        message: expect.stringContaining('too many password change attempts'),
      },
    });
    expect((await login('carol', PASSWORD)).statusCode).toBe(200); // unchanged
  });
});
