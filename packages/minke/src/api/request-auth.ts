import type { FastifyInstance, FastifyRequest } from 'fastify';
import { NotAuthenticated } from '../errors.js';
import { checkCsrf, CSRF_HEADER } from '../auth/csrf.js';
import type { Authenticator, Principal } from '../auth/principal.js';
import { SESSION_COOKIE } from './cookies.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Who is calling; null when nobody is logged in (public routes only). */
    principal: Principal | null;
  }
  interface FastifyContextConfig {
    /** Reachable without logging in (login, logout). */
    public?: boolean;
    /** False where a cookie-authenticated write needs no CSRF token (login only). */
    csrf?: boolean;
  }
}

/**
 * Authenticates every request of the scope it is added to: `Authorization: Bearer TOKEN`, else
 * the session cookie. Routes are protected unless `config.public`; a cookie-authenticated write
 * must carry the CSRF token. The same principal, with the same permissions, reaches every handler.
 */
export function addRequestAuthentication(app: FastifyInstance, auth: Authenticator): void {
  app.decorateRequest('principal', null);
  app.addHook('onRequest', async function authenticate(request) {
    const config = request.routeOptions.config;
    const bearer = bearerToken(request);
    let principal: Principal | undefined;
    if (bearer !== undefined) {
      principal = await auth.fromBearerToken(bearer);
      if (!principal && !config.public)
        throw new NotAuthenticated('the API token is invalid or revoked');
    } else {
      const cookie = request.cookies[SESSION_COOKIE];
      if (cookie) principal = await auth.fromSessionToken(cookie);
    }
    request.principal = principal ?? null;
    if (!principal) {
      if (config.public) return;
      throw new NotAuthenticated('log in first, or send Authorization: Bearer TOKEN');
    }
    if (principal.session && config.csrf !== false) {
      checkCsrf(request.method, principal.session.csrfToken, request.headers[CSRF_HEADER]);
    }
  });
}

/** The caller; for handlers of protected routes, where a principal is always present. */
export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal)
    throw new NotAuthenticated('log in first, or send Authorization: Bearer TOKEN');
  return request.principal;
}

function bearerToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (header === undefined) return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1] ?? '';
}
