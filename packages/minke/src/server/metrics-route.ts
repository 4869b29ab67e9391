import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Registry } from 'prom-client';
import { NotAuthenticated } from '../errors.js';
import { sameSecret } from '../auth/secret-token.js';

export interface MetricsRouteOptions {
  registry: Registry;
  /** When set, a scrape must send `Authorization: Bearer <token>` (compared in constant time). */
  token?: string | undefined;
}

/**
 * `GET /metrics`: Prometheus text. Open by default, as `/healthz` is (bind the server to a private
 * address or put it behind the proxy's rules), or closed with a bearer token of its own, so that
 * a scraper needs no user account.
 *
 * @example
 *   registerMetricsRoute(app, { registry: serverMetrics({ database }), token: config.metrics.token });
 */
export function registerMetricsRoute(app: FastifyInstance, options: MetricsRouteOptions): void {
  const { registry, token } = options;
  app.get('/metrics', { schema: { hide: true } }, async function metrics(request, reply) {
    if (token !== undefined) checkScrapeToken(request, reply, token);
    return reply.type(registry.contentType).send(await registry.metrics());
  });
}

function checkScrapeToken(request: FastifyRequest, reply: FastifyReply, token: string): void {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '');
  if (match?.[1] !== undefined && sameSecret(match[1], token)) return;
  void reply.header('www-authenticate', 'Bearer realm="minke metrics"');
  throw new NotAuthenticated('/metrics needs Authorization: Bearer <MINKE_METRICS_TOKEN>');
}
