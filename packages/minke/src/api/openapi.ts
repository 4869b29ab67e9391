import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { zodToOpenApi } from './zod-schema.js';

/**
 * The OpenAPI document, built from the routes' zod schemas: `/api/openapi.json`, and Swagger UI at
 * `/api/docs`. Register before the routes, so that every route is seen.
 */
export async function registerOpenApi(app: FastifyInstance, version: string): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Minke API',
        version,
        description:
          'Remote control, configuration management and inventory. Authenticate with the session cookie (POST /api/auth/login; writes then need the X-CSRF-Token header) or `Authorization: Bearer TOKEN`.',
      },
      components: {
        securitySchemes: {
          bearer: {
            type: 'http',
            scheme: 'bearer',
            description: 'an API token (minke tokens create)',
          },
          session: { type: 'apiKey', in: 'cookie', name: 'minke_session' },
        },
      },
      security: [{ bearer: [] }, { session: [] }],
    },
    transform: zodToOpenApi,
  });
  await app.register(swaggerUi, { routePrefix: '/api/docs' });
  app.get('/api/openapi.json', { schema: { hide: true } }, () => app.swagger());
}
