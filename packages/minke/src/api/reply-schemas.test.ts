import Fastify, { type RouteOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { startApiHarness, type ApiHarness } from '../../test-support/api-harness.js';
import { sqliteBackend } from '../../test-support/databases.js';
import { DEFAULT_LOGIN_RATE_LIMIT } from '../auth/login-rate-limit.js';
import { DEFAULT_LOGIN_SESSION_POLICY } from '../auth/login-session-store.js';
import { Authenticator } from '../auth/principal.js';
import { silentLogger } from '../logger.js';
import { SessionHistory } from '../runs/history.js';
import type { ApiContext } from './api-context.js';
import { apiPlugin } from './api-plugin.js';
import { DEFAULT_EVENT_STREAM_OPTIONS } from './event-stream.js';
import { replySchemaProblem } from './reply-schemas.js';
import { standardErrors, zodToOpenApi } from './zod-schema.js';
import { idParams } from '@minke/contract';
import { RunAccess } from './run-access.js';

let harness: ApiHarness;
beforeAll(async () => {
  harness = await startApiHarness(sqliteBackend());
});
afterAll(async () => {
  await harness.close();
});

/** Every route the API plugin declares, as Fastify's `onRoute` hook sees it. */
async function apiRoutes(): Promise<RouteOptions[]> {
  const { project, runtime } = harness;
  const context: ApiContext = {
    project,
    runtime,
    logger: silentLogger,
    auth: new Authenticator(project, DEFAULT_LOGIN_SESSION_POLICY),
    history: new SessionHistory(project.database),
    runAccess: new RunAccess(project.database),
    loginSessionPolicy: DEFAULT_LOGIN_SESSION_POLICY,
    loginRateLimit: DEFAULT_LOGIN_RATE_LIMIT,
    events: DEFAULT_EVENT_STREAM_OPTIONS,
    openStreams: new Set(),
  };
  const app = Fastify({ logger: false });
  const routes: RouteOptions[] = [];
  app.addHook('onRoute', (route) => {
    routes.push(route);
  });
  await app.register(apiPlugin, { context, prefix: '/api' });
  await app.ready();
  await app.close();
  return routes;
}

describe('reply schemas', () => {
  it('are declared by every API route (the event stream is typed by the run-event union)', async () => {
    const routes = await apiRoutes();
    expect(routes.length).toBeGreaterThan(40);
    expect(routes.map(replySchemaProblem).filter(Boolean)).toEqual([]);
  });

  it('are missed when a route has none, none for success, or one that is not zod', () => {
    const route = (schema: RouteOptions['schema']) => ({ method: 'GET', url: '/api/x', schema });
    expect(replySchemaProblem(route({}))).toBe('GET /api/x declares no reply schema');
    expect(replySchemaProblem(route({ response: { 404: z.object({}) } }))).toBe(
      'GET /api/x declares no reply schema for its success status',
    );
    expect(replySchemaProblem(route({ response: { 200: { type: 'object' } } }))).toContain(
      'not a zod schema',
    );
    expect(replySchemaProblem(route({ response: { 200: z.object({}) } }))).toBeUndefined();
    expect(replySchemaProblem({ method: 'GET', url: '/api/events', schema: {} })).toBeUndefined();
  });

  it('check what a route sends: a reply that breaks its schema is a 500, not a wrong answer', async () => {
    const app = Fastify({ logger: false });
    const { zodSerializerCompiler } = await import('./zod-schema.js');
    app.setSerializerCompiler(zodSerializerCompiler);
    app.get('/ok', { schema: { response: { 200: z.object({ id: z.number() }) } } }, () => ({
      id: 1,
      secret: 'left out',
    }));
    app.get('/bad', { schema: { response: { 200: z.object({ id: z.number() }) } } }, () => ({
      id: 'one',
    }));
    const ok = await app.inject({ method: 'GET', url: '/ok' });
    expect(ok.json()).toEqual({ id: 1 });
    expect((await app.inject({ method: 'GET', url: '/bad' })).statusCode).toBe(500);
    await app.close();
  });
});

describe('error replies in the OpenAPI document', () => {
  interface Operation {
    parameters?: { in: string }[];
    requestBody?: unknown;
    responses: Record<string, { content?: Record<string, { schema?: unknown }> }>;
  }

  it('are declared where every route gives them: 400 on input, 404 on a path, 401 and 403 unless public', async () => {
    const spec = (await harness.anonymous.get('/api/openapi.json')).json<{
      paths: Record<string, Record<string, Operation>>;
    }>();
    const publicRoutes = ['post /api/auth/login', 'post /api/auth/logout', 'get /api/brand'];
    const missing: string[] = [];
    let checked = 0;
    for (const [path, operations] of Object.entries(spec.paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        checked++;
        const name = `${method} ${path}`;
        const takesInput = (operation.parameters?.length ?? 0) > 0 || operation.requestBody;
        const expected = [
          ...(takesInput ? ['400'] : []),
          ...(path.includes('{') ? ['404'] : []),
          ...(publicRoutes.includes(name) ? [] : ['401', '403']),
        ];
        for (const status of expected)
          if (!operation.responses[status]?.content) missing.push(`${name} ${status}`);
      }
    }
    expect(checked).toBeGreaterThan(40);
    expect(missing).toEqual([]);
  });

  it('keep what a route declares itself, and add nothing to a public route that takes nothing', () => {
    const own = z.object({ error: z.object({ code: z.literal('conflict') }) });
    expect(Object.keys(standardErrors({ params: idParams }, false))).toEqual([
      '400',
      '401',
      '403',
      '404',
    ]);
    const doc = zodToOpenApi({
      schema: { params: idParams, response: { 404: own } },
      url: '/api/x/:id',
    }).schema.response as Record<string, { properties?: { error?: { properties?: object } } }>;
    expect(Object.keys(doc)).toEqual(['400', '401', '403', '404']);
    // Each standard reply says what its status means; the route's own 404 is kept as it is.
    expect(doc['401']).toMatchObject({ description: expect.stringContaining('Not logged in') });
    expect(doc['404']?.properties?.error?.properties).toHaveProperty('code.enum', ['conflict']);
    expect(standardErrors({}, true)).toEqual({});
  });
});
