import { z } from 'zod';
import { apiToken, newApiToken, newTokenBody, tokensQuery } from '@minke/contract';
import { NotFoundError, PermissionDenied } from '../errors.js';
import type { ApiRoutes } from './api-context.js';
import { principalOf } from './request-auth.js';
import { idParams } from './schemas.js';
import { deleteRoute } from './delete-route.js';

/** API tokens: the caller's own; superusers may see, make and revoke anyone's. */
export const tokenRoutes: ApiRoutes = (app, { project, auth }) => {
  app.get(
    '/tokens',
    {
      schema: {
        tags: ['tokens'],
        summary: "The caller's tokens (superusers: everyone's, or one user's with ?user=NAME)",
        querystring: tokensQuery,
        response: { 200: z.array(apiToken) },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const { user } = request.query;
      if (!principal.access.isSuperuser) {
        if (user !== undefined && user !== principal.user.username) {
          throw new PermissionDenied("only superusers may see other users' tokens");
        }
        return auth.tokens.list({ userId: principal.user.id });
      }
      return auth.tokens.list({
        userId: user === undefined ? undefined : (await project.users.get(user)).id,
      });
    },
  );

  app.post(
    '/tokens',
    {
      schema: {
        tags: ['tokens'],
        summary: 'Create a token; the reply holds it, the only time it is shown',
        body: newTokenBody,
        response: {
          201: newApiToken,
        },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const { name, user } = request.body;
      let userId = principal.user.id;
      if (user !== undefined && user !== principal.user.username) {
        if (!principal.access.isSuperuser)
          throw new PermissionDenied('only superusers may make tokens for other users');
        userId = (await project.users.get(user)).id;
      }
      return reply.code(201).send(await auth.tokens.create({ userId, name }));
    },
  );

  deleteRoute(
    app,
    '/tokens/:id',
    {
      tags: ['tokens'],
      summary: 'Revoke a token: it stops working at once',
      params: idParams,
    },
    async ({ id }, request) => {
      const principal = principalOf(request);
      const token = await auth.tokens.get(id);
      if (!principal.access.isSuperuser && token.userId !== principal.user.id) {
        throw new NotFoundError(`token ${token.id} does not exist`); // others' tokens are invisible
      }
      await auth.tokens.revoke(token.id);
    },
  );
};
