import {
  loginBody,
  loginReply,
  me,
  passwordChangeBody,
  passwordChangeReply,
} from '@minke/contract';
import type { preHandlerAsyncHookHandler } from 'fastify';
import { NotAuthenticated, RateLimited } from '../errors.js';
import { loginRateLimit, type LoginRateLimit } from '../auth/login-rate-limit.js';
import { verifyLogin } from '../auth/verify-login.js';
import { UserAdmin } from '../operations/user-admin.js';
import type { ApiApp, ApiRoutes } from './api-context.js';
import { clearLoginCookies, SESSION_COOKIE, setLoginCookies } from './cookies.js';
import { principalOf } from './request-auth.js';
import { errorReply, noContent } from './schemas.js';

/**
 * Password changes are limited as logins are (per caller and per address): a stolen session must
 * not be a way to guess the password.
 */
function passwordRateLimit(app: ApiApp, limits: LoginRateLimit): preHandlerAsyncHookHandler {
  const perUser = app.createRateLimit({
    max: limits.perUser,
    timeWindow: limits.windowMs,
    keyGenerator: (request) => `password-user:${request.principal?.user.id ?? ''}`,
  });
  const perIp = app.createRateLimit({
    max: limits.perIp,
    timeWindow: limits.windowMs,
    keyGenerator: (request) => `password-ip:${request.ip}`,
  });
  return async function limitPasswordChanges(request) {
    for (const limit of [perUser, perIp]) {
      const state = await limit(request);
      if (!state.isAllowed && state.isExceeded) {
        throw new RateLimited(
          `too many password change attempts: try again in ${state.ttlInSeconds} s`,
          state.ttlInSeconds,
        );
      }
    }
  };
}

/** Login (session cookie + CSRF cookie), logout, password change, and who am I. */
export const authRoutes: ApiRoutes = (app, context) => {
  const { project, auth } = context;
  app.post(
    '/auth/login',
    {
      config: { public: true, csrf: false },
      preHandler: loginRateLimit(app, context.loginRateLimit),
      schema: {
        tags: ['auth'],
        summary: 'Log in: sets the session cookie (minke_session) and the CSRF cookie (minke_csrf)',
        security: [],
        body: loginBody,
        response: {
          200: loginReply,
          401: errorReply,
          429: errorReply,
        },
      },
    },
    async (request, reply) => {
      const { username, password } = request.body;
      const user = await verifyLogin(project.database, project.users, username.trim(), password);
      if (!user) throw new NotAuthenticated('wrong user name or password');
      // A new session for each login: a cookie planted before it is worth nothing after.
      const previous = request.cookies[SESSION_COOKIE];
      if (previous) await auth.sessions.delete(previous);
      const session = await auth.sessions.create(user.id);
      setLoginCookies(request, reply, {
        token: session.token,
        csrfToken: session.csrfToken,
        maxAgeSeconds: Math.floor(context.loginSessionPolicy.maxAgeMs / 1000),
      });
      return {
        user: { id: user.id, username: user.username, isSuperuser: user.isSuperuser },
        csrfToken: session.csrfToken,
      };
    },
  );

  app.post(
    '/auth/logout',
    {
      config: { public: true },
      schema: {
        tags: ['auth'],
        summary: 'Log out: the session is deleted, the cookies cleared',
        security: [],
        response: { 204: noContent },
      },
    },
    async (request, reply) => {
      const token = request.cookies[SESSION_COOKIE];
      if (token && request.principal?.via === 'session') await auth.sessions.delete(token);
      clearLoginCookies(request, reply);
      return reply.code(204).send();
    },
  );

  const limitPasswordChanges = passwordRateLimit(app, context.loginRateLimit);
  app.post(
    '/auth/password',
    {
      preHandler: limitPasswordChanges,
      schema: {
        tags: ['auth'],
        summary:
          'Change your own password: the current one is checked; your other login sessions end',
        body: passwordChangeBody,
        response: {
          200: passwordChangeReply,
          401: errorReply,
          429: errorReply,
        },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const { currentPassword, newPassword } = request.body;
      await new UserAdmin(project.database).changeOwnPassword(
        principal.user.id,
        currentPassword,
        newPassword,
      );
      // Every login session ended with the change; the browser in use gets a new one.
      if (principal.via !== 'session') return {};
      const session = await auth.sessions.create(principal.user.id);
      setLoginCookies(request, reply, {
        token: session.token,
        csrfToken: session.csrfToken,
        maxAgeSeconds: Math.floor(context.loginSessionPolicy.maxAgeMs / 1000),
      });
      return { csrfToken: session.csrfToken };
    },
  );

  app.get(
    '/auth/me',
    {
      schema: {
        tags: ['auth'],
        summary: 'The caller: user, superuser flag and permission codenames',
        response: {
          200: me,
          401: errorReply,
        },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const permissions = principal.access.isSuperuser
        ? (await project.permissions.list()).map((p) => p.codename)
        : [...principal.access.permissions].sort();
      return {
        ...principal.user,
        permissions,
        via: principal.via,
        ...(principal.session ? { csrfToken: principal.session.csrfToken } : {}),
      };
    },
  );
};
