import type { FastifyReply, FastifyRequest } from 'fastify';
import type {} from '@fastify/cookie';
import { CSRF_COOKIE } from '../auth/csrf.js';

/** The HttpOnly cookie that holds the login session's token. */
export const SESSION_COOKIE = 'minke_session';

/** TLS at this server, or at a proxy in front of it that says so. */
function overTls(request: FastifyRequest): boolean {
  const forwarded = request.headers['x-forwarded-proto'];
  const proto = (Array.isArray(forwarded) ? forwarded[0] : forwarded)?.split(',')[0]?.trim();
  return request.protocol === 'https' || proto === 'https';
}

/**
 * Sets the session cookie (HttpOnly: no script reads it) and the CSRF cookie (readable: the
 * page's script copies it into `X-CSRF-Token`). Both SameSite=Lax, path /, Secure over TLS.
 */
export function setLoginCookies(
  request: FastifyRequest,
  reply: FastifyReply,
  session: { token: string; csrfToken: string; maxAgeSeconds: number },
): void {
  const common = {
    path: '/',
    sameSite: 'lax' as const,
    secure: overTls(request),
    maxAge: session.maxAgeSeconds,
  };
  void reply.setCookie(SESSION_COOKIE, session.token, { ...common, httpOnly: true });
  void reply.setCookie(CSRF_COOKIE, session.csrfToken, { ...common, httpOnly: false });
}

export function clearLoginCookies(request: FastifyRequest, reply: FastifyReply): void {
  const common = { path: '/', sameSite: 'lax' as const, secure: overTls(request) };
  void reply.clearCookie(SESSION_COOKIE, { ...common, httpOnly: true });
  void reply.clearCookie(CSRF_COOKIE, common);
}
