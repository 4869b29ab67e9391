import { describe, expect, it } from 'vitest';
import { sqliteBackend } from '../../test-support/databases.js';
import { silentLogger } from '../logger.js';
import { createRuntime } from '../runtime/runtime.js';
import { buildServer } from './build-server.js';

describe('events waiting in another thread', () => {
  it('are taken before each request is answered, the API and the rest alike', async () => {
    const backend = sqliteBackend();
    const project = await backend.open([]);
    const runtime = createRuntime(project, { quiet: true });
    // As the session thread's executor: what it holds is published when asked.
    const seen: string[] = [];
    let taken = 0;
    Object.assign(runtime.executor, { takeEvents: () => (taken += 1) });
    const app = await buildServer({ project, runtime, logger: silentLogger, webRoot: null });
    app.addHook('preHandler', (request, _reply, done) => {
      seen.push(`${request.url} after ${taken} taken`);
      done();
    });
    try {
      expect((await app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
      expect(seen).toEqual(['/healthz after 1 taken']); // before its handler ran
      // A request refused before any handler too: what waits goes out whatever becomes of it.
      expect((await app.inject({ method: 'GET', url: '/api/hosts' })).statusCode).toBe(401);
      expect(taken).toBe(2);
    } finally {
      await app.close();
      await runtime.close();
      await project.close();
      await backend.cleanup();
    }
  });
});
