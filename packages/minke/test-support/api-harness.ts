import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { z } from 'zod';
import { defineModel } from '../src/model/define-model.js';
import { f } from '../src/model/fields.js';
import type { OpenedProject } from '../src/runtime/open-project.js';
import { createRuntime, type Runtime } from '../src/runtime/runtime.js';
import { buildServer, type ServerOptions } from '../src/server/build-server.js';
import { Session } from '../src/session/session.js';
import { SingleCommandSession } from '../src/session/builtin-sessions.js';
import { silentLogger } from '../src/logger.js';
import type { TestBackend } from './databases.js';

/** A model whose records reach a host directly. */
export const Service = defineModel('Service', {
  fields: {
    host: f.ref('Host'),
    name: f.text(),
    kind: f.enum(['web', 'db', 'cache'], { default: 'web' }),
    port: f.int({ optional: true }),
  },
  hostLookup: 'host',
  display: ['name'],
  ordering: ['name'],
});

export class Hello extends SingleCommandSession {
  static override workOn = ['Host', Service];
  static override command = 'echo hello {name}';
}

/** 5,000 lines, in bursts of 100 with short pauses: many output chunks. */
export class Chatty extends SingleCommandSession {
  static override workOn = ['Host'];
  static override command =
    'i=1; while [ $i -le 5000 ]; do echo "line $i"; [ $((i % 100)) -eq 0 ] && sleep 0.01; i=$((i + 1)); done; true';
}

/** Output, a pause, more output: a run to disconnect from in the middle. */
export class Pause extends SingleCommandSession {
  static override workOn = ['Host'];
  static override command = 'echo one; sleep 1; echo two';
}

export class Sleepy extends SingleCommandSession {
  static override workOn = ['Host'];
  static override command = 'sleep 30 # minke-api-sleepy';
  static override timeoutMs = 120_000; // never reached: tests stop it sooner
}

const countForm = z.object({ count: z.number().int().min(1).max(9) });
export class Count extends Session<typeof countForm> {
  static override workOn = [Service];
  static override form = countForm;
  override async process() {
    await this.xrun('seq 1 {count}');
  }
}

export const apiModels = [Service];
export const apiSessions = [Hello, Chatty, Pause, Sleepy, Count];
export const PASSWORD = 'correct horse battery';

export interface Caller {
  /** Sends a request as this caller (bearer token, or cookie plus CSRF header). */
  request(options: InjectOptions): Promise<LightMyRequestResponse>;
  get(url: string): Promise<LightMyRequestResponse>;
  post(url: string, body?: unknown): Promise<LightMyRequestResponse>;
  patch(url: string, body?: unknown): Promise<LightMyRequestResponse>;
  delete(url: string): Promise<LightMyRequestResponse>;
}

export interface ApiHarness {
  project: OpenedProject;
  runtime: Runtime;
  app: FastifyInstance;
  /** A user with these permissions (codenames); a superuser with `superuser`. */
  user(name: string, options?: { superuser?: boolean; permissions?: string[] }): Promise<number>;
  /** A caller authenticated by a fresh API token. */
  withToken(name: string): Promise<Caller & { token: string }>;
  /** A caller logged in with the session cookie, sending the CSRF header on writes. */
  withLogin(name: string): Promise<Caller & { cookies: Record<string, string>; csrf: string }>;
  anonymous: Caller;
  close(): Promise<void>;
}

/**
 * A project on `backend` with the API models and sessions (and a test's own), a runtime and the
 * server (not listening).
 */
export async function startApiHarness(
  backend: TestBackend,
  options: Partial<Omit<ServerOptions, 'project' | 'runtime' | 'logger'>> = {},
  ownSessions: readonly unknown[] = [],
): Promise<ApiHarness> {
  const project = await backend.open(apiModels, {}, [...apiSessions, ...ownSessions]);
  const runtime = createRuntime(project, { quiet: true });
  const app = await buildServer({
    project,
    runtime,
    logger: silentLogger,
    webRoot: null,
    ...options,
  });
  await app.ready();

  const caller = (headers: () => Record<string, string>): Caller => {
    const request = (opts: InjectOptions) =>
      app.inject({
        ...opts,
        headers: { ...headers(), ...(opts.headers as Record<string, string>) },
      });
    const withBody = (method: 'POST' | 'PATCH', url: string, body: unknown) =>
      request({ method, url, ...(body === undefined ? {} : { payload: body as object }) });
    return {
      request,
      get: (url) => request({ method: 'GET', url }),
      post: (url, body) => withBody('POST', url, body),
      patch: (url, body) => withBody('PATCH', url, body),
      delete: (url) => request({ method: 'DELETE', url }),
    };
  };

  return {
    project,
    runtime,
    app,
    async user(name, opts = {}) {
      const user = await project.users.create({
        username: name,
        password: PASSWORD,
        superuser: opts.superuser ?? false,
      });
      if (opts.permissions?.length) await project.permissions.grant(user.id, opts.permissions);
      return user.id;
    },
    async withToken(name) {
      const user = await project.users.get(name);
      const { ApiTokenStore } = await import('../src/auth/api-token-store.js');
      const { token } = await new ApiTokenStore(project.database).create({
        userId: user.id,
        name: 'test',
      });
      return { token, ...caller(() => ({ authorization: `Bearer ${token}` })) };
    },
    async withLogin(name) {
      const response = await app.inject({
        method: 'POST',
        url: '/api/auth/login',
        payload: { username: name, password: PASSWORD },
      });
      if (response.statusCode !== 200) throw new Error(`login failed: ${response.body}`);
      const cookies = Object.fromEntries(response.cookies.map((c) => [c.name, c.value]));
      const csrf = cookies['minke_csrf'] as string;
      const cookieHeader = () =>
        Object.entries(cookies)
          .map(([k, v]) => `${k}=${v}`)
          .join('; ');
      return { cookies, csrf, ...caller(() => ({ cookie: cookieHeader(), 'x-csrf-token': csrf })) };
    },
    anonymous: caller(() => ({})),
    async close() {
      await app.close();
      await runtime.close();
      await project.close();
      await backend.cleanup();
    },
  };
}

/** Asserts nothing in an error reply looks like a stack trace. */
export function hasNoStackTrace(body: string): boolean {
  return !/\bat .+\(.+:\d+:\d+\)|\.ts:\d+|\.js:\d+|node:internal|stack/i.test(body);
}
