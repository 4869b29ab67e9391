import type { FastifyInstance, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import type {} from '@fastify/rate-limit';
import { RateLimited } from '../errors.js';

export interface LoginRateLimit {
  /** Attempts per client address per window. */
  perIp: number;
  /** Attempts per user name per window (from any address). */
  perUser: number;
  windowMs: number;
}

export const DEFAULT_LOGIN_RATE_LIMIT: LoginRateLimit = {
  perIp: 30,
  perUser: 10,
  windowMs: 60_000,
};

/**
 * A pre-handler for the login route that counts attempts per client address and per user name
 * (with @fastify/rate-limit's store; register the plugin with `global: false` first). Over either
 * limit the attempt is refused with 429 before the password is looked at.
 */
export function loginRateLimit(
  app: FastifyInstance,
  limits: LoginRateLimit = DEFAULT_LOGIN_RATE_LIMIT,
): preHandlerAsyncHookHandler {
  const perIp = app.createRateLimit({
    max: limits.perIp,
    timeWindow: limits.windowMs,
    keyGenerator: (request) => `login-ip:${request.ip}`,
  });
  const perUser = app.createRateLimit({
    max: limits.perUser,
    timeWindow: limits.windowMs,
    keyGenerator: (request) => `login-user:${usernameOf(request)}`,
  });
  return async function limitLogins(request) {
    for (const limit of [perIp, perUser]) {
      const state = await limit(request);
      if (!state.isAllowed && state.isExceeded) {
        throw new RateLimited(
          `too many login attempts: try again in ${state.ttlInSeconds} s`,
          state.ttlInSeconds,
        );
      }
    }
  };
}

function usernameOf(request: FastifyRequest): string {
  const body = request.body as { username?: unknown } | null | undefined;
  return typeof body?.username === 'string' ? body.username.trim().toLowerCase() : '';
}
