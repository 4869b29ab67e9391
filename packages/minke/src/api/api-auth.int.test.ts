import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  hasNoStackTrace,
  PASSWORD,
  startApiHarness,
  type ApiHarness,
} from '../../test-support/api-harness.js';
import { sqliteBackend } from '../../test-support/databases.js';
import { silentLogger } from '../logger.js';
import { buildServer } from '../server/build-server.js';

let h: ApiHarness;
beforeAll(async () => {
  h = await startApiHarness(sqliteBackend());
  await h.user('root', { superuser: true });
  await h.user('alice', { permissions: ['view_host'] });
  await h.user('bob');
});
afterAll(() => h.close());

const login = (username: string, password = PASSWORD, headers: Record<string, string> = {}) =>
  h.app.inject({
    method: 'POST',
    url: '/api/auth/login',
    payload: { username, password },
    headers,
  });

describe('authentication', () => {
  it('answers 401 on every protected route without credentials, and with a bad token', async () => {
    const spec = (await h.anonymous.get('/api/openapi.json')).json<{
      paths: Record<string, Record<string, unknown>>;
    }>();
    const routes = Object.entries(spec.paths).flatMap(([path, methods]) =>
      Object.keys(methods).map((method) => ({
        method: method.toUpperCase(),
        url: path.replace(/\{[^}]+\}/g, '1'),
      })),
    );
    // The brand (Minke and the project's name) is shown on the login page, before anyone logs in.
    const publicRoutes = ['POST /api/auth/login', 'POST /api/auth/logout', 'GET /api/brand'];
    const protectedRoutes = routes.filter((r) => !publicRoutes.includes(`${r.method} ${r.url}`));
    expect(protectedRoutes.length).toBeGreaterThanOrEqual(30);
    for (const route of protectedRoutes) {
      for (const headers of [
        {},
        { authorization: 'Bearer mkt_forged' },
        { cookie: 'minke_session=forged' },
      ]) {
        const response = await h.app.inject({
          method: route.method as 'GET',
          url: route.url,
          headers,
          ...(route.method === 'GET' || route.method === 'DELETE' ? {} : { payload: {} }),
        });
        expect(response.statusCode, `${route.method} ${route.url}`).toBe(401);
        expect(response.json()).toMatchObject({ error: { code: 'unauthenticated' } });
      }
    }
  });

  it('logs in with a session cookie and a readable CSRF cookie', async () => {
    const response = await login('alice');
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ user: { username: 'alice', isSuperuser: false } });
    const session = response.cookies.find((c) => c.name === 'minke_session');
    const csrf = response.cookies.find((c) => c.name === 'minke_csrf');
    expect(session).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/' });
    expect(session?.secure).toBeFalsy();
    expect(csrf).toMatchObject({ sameSite: 'Lax', path: '/' });
    expect(csrf?.httpOnly).toBeFalsy();
    expect(response.json<{ csrfToken: string }>().csrfToken).toBe(csrf?.value);
    const behindTls = await login('alice', PASSWORD, { 'x-forwarded-proto': 'https' });
    expect(behindTls.cookies.every((c) => c.secure)).toBe(true);
  });

  it('refuses wrong credentials with 401 and the same message for unknown users', async () => {
    for (const [username, password] of [
      ['alice', 'wrong password'],
      ['nobody', PASSWORD],
    ] as const) {
      const response = await login(username, password);
      expect(response.statusCode).toBe(401);
      expect(response.json()).toEqual({
        error: { code: 'unauthenticated', message: 'wrong user name or password' },
      });
    }
    const invalid = await h.app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { username: 'alice' },
    });
    expect(invalid.statusCode).toBe(400);
    expect(invalid.json()).toMatchObject({
      error: { code: 'input', fields: { password: expect.any(String) } },
    });
  });

  it('tells who is calling, by cookie or by token, with their permissions', async () => {
    const byCookie = await h.withLogin('alice');
    expect((await byCookie.get('/api/auth/me')).json()).toMatchObject({
      username: 'alice',
      permissions: ['view_host'],
      via: 'session',
      csrfToken: byCookie.csrf,
    });
    const byToken = await h.withToken('root');
    const me = (await byToken.get('/api/auth/me')).json<{ permissions: string[]; via: string }>();
    expect(me.via).toBe('token');
    expect(me.permissions).toEqual(
      expect.arrayContaining(['view_host', 'run_hello', 'delete_service']),
    );
  });

  it('requires the CSRF header on cookie-authenticated writes, not on reads or with a token', async () => {
    await h.user('carol', { permissions: ['add_host', 'view_host'] });
    const carol = await h.withLogin('carol');
    const cookie = Object.entries(carol.cookies)
      .map(([k, v]) => `${k}=${v}`)
      .join('; ');
    const post = (headers: Record<string, string>, name: string) =>
      h.app.inject({
        method: 'POST',
        url: '/api/hosts',
        headers: { cookie, ...headers },
        payload: { name },
      });
    const missing = await post({}, 'csrf-1');
    expect(missing.statusCode).toBe(403);
    expect(missing.json()).toMatchObject({ error: { code: 'csrf' } });
    const wrong = await post({ 'x-csrf-token': 'forged' }, 'csrf-2');
    expect(wrong.statusCode).toBe(403);
    expect(wrong.json()).toMatchObject({ error: { code: 'csrf' } });
    expect((await post({ 'x-csrf-token': carol.csrf }, 'csrf-3')).statusCode).toBe(201);
    expect(
      (await h.app.inject({ method: 'GET', url: '/api/hosts', headers: { cookie } })).statusCode,
    ).toBe(200);
    const token = await h.withToken('carol');
    expect((await token.post('/api/hosts', { name: 'csrf-4' })).statusCode).toBe(201);
    // Another user's CSRF token does not do either.
    const alice = await h.withLogin('alice');
    expect((await post({ 'x-csrf-token': alice.csrf }, 'csrf-5')).statusCode).toBe(403);
  });

  it('logs out: the cookie stops working, logout itself needs the CSRF header', async () => {
    const alice = await h.withLogin('alice');
    const cookie = Object.entries(alice.cookies)
      .map(([k, v]) => `${k}=${v}`)
      .join('; ');
    const withoutCsrf = await h.app.inject({
      method: 'POST',
      url: '/api/auth/logout',
      headers: { cookie },
    });
    expect(withoutCsrf.statusCode).toBe(403);
    const out = await alice.post('/api/auth/logout');
    expect(out.statusCode).toBe(204);
    expect(out.cookies.find((c) => c.name === 'minke_session')?.value).toBe('');
    expect((await alice.get('/api/auth/me')).statusCode).toBe(401);
    expect((await h.anonymous.post('/api/auth/logout')).statusCode).toBe(204);
  });

  it('expires idle sessions', async () => {
    const short = await startApiHarness(sqliteBackend(), {
      loginSessions: { idleMs: 300, renewEveryMs: 0 },
    });
    try {
      await short.user('dave');
      const dave = await short.withLogin('dave');
      expect((await dave.get('/api/auth/me')).statusCode).toBe(200);
      await new Promise((resolve) => setTimeout(resolve, 450));
      expect((await dave.get('/api/auth/me')).statusCode).toBe(401);
    } finally {
      await short.close();
    }
  });

  it('rate-limits logins per user name with 429', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++) statuses.push((await login('bob', 'not the password')).statusCode);
    expect(statuses.slice(0, 10).every((s) => s === 401)).toBe(true);
    const limited = await login('bob');
    expect(limited.statusCode).toBe(429);
    expect(limited.json()).toMatchObject({ error: { code: 'rate_limited' } });
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect((await login('alice')).statusCode).toBe(200); // other names are not affected
  });
});

describe('API tokens', () => {
  it('creates a token shown once, lists without it, and revoked tokens stop working', async () => {
    const alice = await h.withToken('alice');
    const created = await alice.post('/api/tokens', { name: 'laptop' });
    expect(created.statusCode).toBe(201);
    const { id, token } = created.json<{ id: number; token: string }>();
    expect(token).toMatch(/^mkt_/);
    const list = await alice.get('/api/tokens');
    expect(list.body).not.toContain(token);
    expect(list.json()).toEqual(
      expect.arrayContaining([expect.objectContaining({ id, name: 'laptop', revoked: false })]),
    );
    const laptop = { authorization: `Bearer ${token}` };
    expect(
      (await h.app.inject({ method: 'GET', url: '/api/auth/me', headers: laptop })).statusCode,
    ).toBe(200);
    expect((await alice.delete(`/api/tokens/${id}`)).statusCode).toBe(204);
    const after = await h.app.inject({ method: 'GET', url: '/api/auth/me', headers: laptop });
    expect(after.statusCode).toBe(401);
    expect(after.json()).toMatchObject({ error: { code: 'unauthenticated' } });
  });

  it("keeps users to their own tokens; superusers manage anyone's", async () => {
    const root = await h.withToken('root');
    const bob = await h.withToken('bob');
    const forBob = await root.post('/api/tokens', { user: 'bob', name: 'by root' });
    expect(forBob.statusCode).toBe(201);
    expect((await root.get('/api/tokens?user=bob')).json()).toEqual(
      expect.arrayContaining([expect.objectContaining({ name: 'by root', username: 'bob' })]),
    );
    expect((await bob.post('/api/tokens', { user: 'root' })).statusCode).toBe(403);
    expect((await bob.get('/api/tokens?user=root')).statusCode).toBe(403);
    const rootToken = (await root.post('/api/tokens', { name: 'mine' })).json<{ id: number }>();
    expect((await bob.delete(`/api/tokens/${rootToken.id}`)).statusCode).toBe(404);
    expect(
      (await bob.get('/api/tokens'))
        .json<{ username: string }[]>()
        .every((t) => t.username === 'bob'),
    ).toBe(true);
    expect((await bob.post('/api/tokens', { name: '' })).json()).toMatchObject({
      error: { code: 'input', fields: { name: expect.any(String) } },
    });
  });
});

describe('errors', () => {
  it('are JSON with a code and message, never a stack trace; unknown errors are a bare 500', async () => {
    const app = await buildServer({
      project: h.project,
      runtime: h.runtime,
      logger: silentLogger,
      webRoot: null,
    });
    app.get('/boom', () => {
      throw new Error('secret detail at /srv/app/src/x.ts:12:3');
    });
    try {
      const boom = await app.inject({ method: 'GET', url: '/boom' });
      expect(boom.statusCode).toBe(500);
      expect(boom.json()).toEqual({ error: { code: 'internal', message: 'internal error' } });
      const root = await h.withToken('root');
      const responses = [
        boom,
        await root.request({
          method: 'POST',
          url: '/api/hosts',
          headers: { 'content-type': 'application/json' },
          payload: '{"name":',
        }),
        await root.get('/api/records/Nope'),
        await root.get('/api/records/Service?where=name%20%3D'),
        await root.post('/api/runs', {
          session: 'Hello',
          model: 'Service',
          where: 'kind = web',
          all: true,
        }),
        await h.anonymous.get('/api/nothing-here'),
      ];
      expect(responses.map((r) => r.statusCode)).toEqual([500, 400, 404, 400, 400, 404]);
      for (const response of responses) {
        expect(response.headers['content-type']).toMatch(/^application\/json/);
        expect(response.json()).toMatchObject({
          error: { code: expect.any(String), message: expect.any(String) },
        });
        expect(hasNoStackTrace(response.body), response.body).toBe(true);
      }
    } finally {
      await app.close();
    }
  });
});
