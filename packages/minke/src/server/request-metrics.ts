import type { FastifyInstance } from 'fastify';
import { observeHttpRequest } from '../metrics/process-metrics.js';

/**
 * Times every answered HTTP request into `minke_http_request_duration_seconds`, by method, route
 * pattern and status, so that an operator sees how the API answers (a p99 per route, a share
 * over one second) as the server measured it: queueing in the client and the network left out.
 * Event streams are not counted: their replies are hijacked, and Fastify runs no `onResponse`
 * hook for those (a stream's duration is how long someone watched, not how fast it answered).
 */
export function timeRequests(app: FastifyInstance): void {
  app.addHook('onResponse', (request, reply, done) => {
    observeHttpRequest(
      request.method,
      request.routeOptions.url,
      reply.statusCode,
      reply.elapsedTime / 1000,
    );
    done();
  });
}
