import type { RouteOptions } from 'fastify';
import { z } from 'zod';

/**
 * Routes that answer with a stream, not one JSON reply: the run events (server-sent events, each
 * typed by the contract's run-event union).
 */
export const STREAMING_ROUTES: ReadonlySet<string> = new Set([
  'GET /api/events',
  'HEAD /api/events',
]);

/**
 * Why a route breaks the rule that every API route declares its reply: a zod schema from the
 * contract for each success status (2xx), which checks and serializes what it sends and types
 * what clients read. Undefined when it keeps the rule.
 */
export function replySchemaProblem(
  route: Pick<RouteOptions, 'method' | 'url' | 'schema'>,
): string | undefined {
  const methods = Array.isArray(route.method) ? route.method : [route.method];
  const name = `${methods.join(',')} ${route.url}`;
  if (methods.every((method) => STREAMING_ROUTES.has(`${method} ${route.url}`))) return undefined;
  const response = route.schema?.response as Record<string, unknown> | undefined;
  if (response === undefined) return `${name} declares no reply schema`;
  const success = Object.entries(response).filter(([status]) => /^2(\d\d|XX)$/.test(status));
  if (success.length === 0) return `${name} declares no reply schema for its success status`;
  const notZod = success.filter(([, schema]) => !(schema instanceof z.ZodType));
  if (notZod.length > 0)
    return `${name} declares a reply for ${notZod.map(([status]) => status).join(', ')} that is not a zod schema`;
  return undefined;
}
