import Fastify, { type FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import type { Project } from '../project/open-project.js';

/**
 * The HTTP server. For now it answers health checks; the REST API and the web admin mount here
 * (see docs/plan.md).
 */
export function buildServer(project: Project): FastifyInstance {
  const app = Fastify({ logger: false });
  app.get('/healthz', () => ({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
    try {
      await sql`SELECT 1`.execute(project.database.db);
      return { status: 'ready', database: project.database.adapter.kind };
    } catch (error) {
      return reply
        .code(503)
        .send({ status: 'unavailable', reason: `database: ${(error as Error).message}` });
    }
  });
  return app;
}
