import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Logger } from '../logger.js';

/** Probes and scrapes come every few seconds: logged at debug level only. */
const quietRoutes = new Set(['/healthz', '/readyz', '/metrics']);

/**
 * One JSON log line per HTTP request, when its response is sent: method, route pattern, path,
 * status, duration and the user (when authenticated). Never the query string (a token or a
 * search could be in it), never a header (Authorization, Cookie), never a body.
 *
 * @example
 *   {"level":30,"msg":"request","method":"POST","route":"/api/runs","path":"/api/runs",
 *    "status":202,"durationMs":12.4,"userId":1,"requestId":"req-5","ip":"127.0.0.1"}
 */
export function logRequests(app: FastifyInstance, logger: Logger): void {
  app.addHook('onResponse', (request, reply, done) => {
    const status = reply.statusCode;
    const line = {
      method: request.method,
      route: request.routeOptions.url ?? null,
      path: pathOf(request),
      status,
      durationMs: Math.round(reply.elapsedTime * 10) / 10,
      userId: request.principal?.user.id ?? null,
      requestId: request.id,
      ip: request.ip,
    };
    if (status >= 500) logger.error(line, 'request');
    else if (quietRoutes.has(line.path)) logger.debug(line, 'request');
    else logger.info(line, 'request');
    done();
  });
}

function pathOf(request: FastifyRequest): string {
  const end = request.url.indexOf('?');
  return end === -1 ? request.url : request.url.slice(0, end);
}
