import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import type { AgentServicesRef } from '../api/api-context.js';
import { freePort, REDIS_URL } from '../../test-support/redis.js';
import { resolveConfig } from '../config/resolve-config.js';
import { startAgentServices } from '../facts/start-agent-services.js';
import { silentLogger } from '../logger.js';
import { openProject, type OpenedProject } from '../runtime/open-project.js';
import { createRuntime } from '../runtime/runtime.js';
import { buildServer } from './build-server.js';

const closers: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close().catch(() => undefined);
});

/** A server on an in-memory project with these settings (the in-process executor). */
async function serverWith(
  raw: Record<string, unknown>,
  agents?: AgentServicesRef,
): Promise<{ app: FastifyInstance; project: OpenedProject }> {
  const config = resolveConfig(
    { database: 'sqlite::memory:', ...raw },
    { projectDir: process.cwd(), configFile: 'test' },
    {},
  );
  const project = await openProject(config, { migrate: true });
  closers.push(() => project.close());
  const runtime = createRuntime(project, { quiet: true });
  closers.push(() => runtime.close());
  const app = await buildServer({
    project,
    runtime,
    logger: silentLogger,
    webRoot: null,
    ...(agents ? { agents } : {}),
  });
  closers.push(() => app.close());
  return { app, project };
}

const readyz = async (app: FastifyInstance) => {
  const response = await app.inject({ method: 'GET', url: '/readyz' });
  return { status: response.statusCode, body: response.json<Record<string, unknown>>() };
};

describe('/readyz', { timeout: 30_000 }, () => {
  it('is ready when the database, Redis and the MQTT broker answer', async () => {
    const agents: AgentServicesRef = { current: undefined };
    const { app, project } = await serverWith(
      { executor: { kind: 'in-process', redisUrl: REDIS_URL }, eventBus: 'memory' },
      agents,
    );
    // Agent services not started yet: not ready, and it says which part.
    expect(await readyz(app)).toMatchObject({
      status: 503,
      body: { status: 'unavailable', reason: 'mqtt unreachable', down: ['mqtt'] },
    });
    const services = await startAgentServices(project, { port: 0, logger: silentLogger });
    closers.push(() => services.close());
    agents.current = services;
    await services.gateway.ready;
    expect(await readyz(app)).toEqual({
      status: 200,
      body: {
        status: 'ready',
        database: 'sqlite',
        checks: { database: 'ok', redis: 'ok', mqtt: 'ok' },
      },
    });
  });

  it('answers 503 naming redis when Redis does not answer, and stays so (no queueing)', async () => {
    const port = await freePort();
    const { app } = await serverWith({
      executor: { kind: 'in-process', redisUrl: `redis://127.0.0.1:${port}` },
      eventBus: 'memory',
    });
    for (let i = 0; i < 2; i++) {
      expect(await readyz(app)).toEqual({
        status: 503,
        body: {
          status: 'unavailable',
          reason: 'redis unreachable',
          down: ['redis'],
          checks: { database: 'ok', redis: 'unreachable' },
        },
      });
    }
  });

  it('answers 503 naming the database when it is gone', async () => {
    const { app, project } = await serverWith({});
    expect((await readyz(app)).status).toBe(200);
    await project.database.close();
    expect(await readyz(app)).toMatchObject({
      status: 503,
      body: { reason: 'database unreachable', checks: { database: 'unreachable' } },
    });
  });
});
