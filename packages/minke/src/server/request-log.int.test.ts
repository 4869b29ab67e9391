import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance, InjectOptions } from 'fastify';
import { apiModels, apiSessions, PASSWORD } from '../../test-support/api-harness.js';
import { sqliteBackend } from '../../test-support/databases.js';
import { ApiTokenStore } from '../auth/api-token-store.js';
import { createLogger } from '../logger.js';
import type { OpenedProject } from '../runtime/open-project.js';
import { createRuntime, type Runtime } from '../runtime/runtime.js';
import { buildServer } from './build-server.js';

/** The JSON lines Minke's real logger writes, collected in memory. */
function capturedLogger() {
  const lines: string[] = [];
  /** Every line, never cleared (the login's included). */
  const all: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      const written = chunk.toString().split('\n').filter(Boolean);
      lines.push(...written);
      all.push(...written);
      done();
    },
  });
  return { logger: createLogger({ level: 'info', stream }), lines, all };
}

interface RequestLine {
  msg: string;
  method: string;
  route: string | null;
  path: string;
  status: number;
  durationMs: number;
  userId: number | null;
  time: string;
}

describe('request logs', () => {
  const captured = capturedLogger();
  const backend = sqliteBackend();
  let project: OpenedProject;
  let runtime: Runtime;
  let app: FastifyInstance;
  beforeAll(async () => {
    project = await backend.open(apiModels, {}, apiSessions);
    runtime = createRuntime(project, { quiet: true });
    app = await buildServer({ project, runtime, logger: captured.logger, webRoot: null });
    await project.users.create({ username: 'alice', password: PASSWORD, superuser: true });
  });
  afterAll(async () => {
    await app.close();
    await runtime.close();
    await project.close();
  });

  const requests = () =>
    captured.lines
      .map((line) => JSON.parse(line) as RequestLine)
      .filter((line) => line.msg === 'request');
  const inject = (options: InjectOptions) => app.inject(options);

  it('writes one JSON line per request with its route, status, duration and user, and no secret', async () => {
    const userId = (await project.users.get('alice')).id;
    const { token } = await new ApiTokenStore(project.database).create({ userId, name: 'test' });
    const login = await inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { username: 'alice', password: PASSWORD },
    });
    expect(login.statusCode).toBe(200);
    const cookies = Object.fromEntries(login.cookies.map((c) => [c.name, c.value]));
    const sessionCookie = Object.entries(cookies)
      .map(([name, value]) => `${name}=${value}`)
      .join('; ');
    captured.lines.length = 0;

    const withBearer = await inject({
      method: 'GET',
      url: '/api/hosts?search=in-the-query-42',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(withBearer.statusCode).toBe(200);
    const withLogin = await inject({
      method: 'GET',
      url: '/api/hosts/nowhere',
      headers: { cookie: sessionCookie },
    });
    expect(withLogin.statusCode).toBe(404);
    expect((await inject({ method: 'GET', url: '/api/hosts' })).statusCode).toBe(401);
    expect((await inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);

    const lines = requests();
    expect(lines).toHaveLength(3); // /healthz is logged at debug level only
    const [withToken, withCookie, anonymous] = lines as [RequestLine, RequestLine, RequestLine];
    expect(withToken).toMatchObject({
      method: 'GET',
      route: '/api/hosts',
      path: '/api/hosts',
      status: 200,
      userId,
    });
    expect(withCookie).toMatchObject({
      route: '/api/hosts/:name',
      path: '/api/hosts/nowhere',
      status: 404,
      userId,
    });
    expect(anonymous).toMatchObject({ path: '/api/hosts', status: 401, userId: null });
    for (const line of lines) {
      expect(line.durationMs).toBeGreaterThanOrEqual(0);
      expect(new Date(line.time).toISOString()).toBe(line.time);
    }

    const everything = captured.all.join('\n');
    expect(everything).toContain('"route":"/api/auth/login"');
    for (const secret of [
      token,
      'in-the-query-42',
      sessionCookie,
      ...Object.values(cookies),
      PASSWORD,
    ])
      expect(everything).not.toContain(secret);
    expect(everything.toLowerCase()).not.toContain('authorization');
    expect(everything.toLowerCase()).not.toContain('cookie');
  });

  it('censors secrets that a log call passes by mistake', () => {
    captured.lines.length = 0;
    captured.logger.warn(
      { req: { headers: { authorization: 'Bearer abc', cookie: 'minke_session=xyz' } } },
      'oops',
    );
    expect(captured.lines.join('\n')).not.toMatch(/abc|xyz/);
    expect(JSON.parse(captured.lines[0] ?? '{}')).toMatchObject({
      req: { headers: { authorization: '[redacted]', cookie: '[redacted]' } },
    });
  });
});
