import { z } from 'zod';
import {
  newUserBody,
  newUserGroupBody,
  permission,
  userChangesBody,
  userDetail,
  userGroup,
  userGroupChangesBody,
  usersQuery,
} from '@minke/contract';
import { requireSuperuser } from '../auth/access.js';
import { UserAdmin } from '../operations/user-admin.js';
import type { ApiRoutes } from './api-context.js';
import { principalOf } from './request-auth.js';
import { matchingName } from './name-search.js';
import { errorReply, idParams, wholeListPaging } from './schemas.js';
import { deleteRoute } from './delete-route.js';

/** Accounts, user groups and the permission list: superusers only. */
export const userRoutes: ApiRoutes = (app, { project, runAccess }) => {
  const admin = new UserAdmin(project.database);
  app.addHook('preHandler', (request, _reply, done) => {
    try {
      requireSuperuser(principalOf(request).access, 'manage users');
      done();
    } catch (error) {
      done(error as Error);
    }
  });
  const errors = { 404: errorReply, 409: errorReply };

  app.get(
    '/users',
    {
      schema: {
        tags: ['users'],
        summary: 'Users; `q` finds them by a part of the username',
        querystring: usersQuery,
        response: { 200: z.array(userDetail) },
      },
    },
    async (request) => matchingName(await admin.list(), request.query.q, (u) => u.username),
  );

  app.post(
    '/users',
    {
      schema: {
        tags: ['users'],
        summary: 'Create a user (argon2id password)',
        body: newUserBody,
        response: { 201: userDetail, ...errors },
      },
    },
    async (request, reply) => reply.code(201).send(await admin.create(request.body)),
  );

  app.get(
    '/users/:id',
    {
      schema: {
        tags: ['users'],
        summary: 'One user',
        params: idParams,
        response: { 200: userDetail, ...errors },
      },
    },
    (request) => admin.get(request.params.id),
  );

  app.patch(
    '/users/:id',
    {
      schema: {
        tags: ['users'],
        summary: 'Change a user: password, superuser, active, groups, permissions',
        params: idParams,
        body: userChangesBody,
        response: { 200: userDetail, ...errors },
      },
    },
    (request) => admin.update(request.params.id, request.body),
  );

  deleteRoute(
    app,
    '/users/:id',
    {
      tags: ['users'],
      summary:
        'Delete a user with their tokens and login sessions (not yourself, not the last superuser); their runs stay',
      params: idParams,
      errors,
    },
    async ({ id }, request) => {
      await admin.remove(id, principalOf(request).user.id);
      runAccess.forgetOwner(id);
    },
  );

  app.get(
    '/user-groups',
    {
      schema: {
        tags: ['users'],
        summary: 'User groups and their permissions',
        querystring: z.object({ ...wholeListPaging }),
        response: { 200: z.array(userGroup) },
      },
    },
    () => admin.listGroups(),
  );

  app.post(
    '/user-groups',
    {
      schema: {
        tags: ['users'],
        summary: 'Create a user group',
        body: newUserGroupBody,
        response: { 201: userGroup, ...errors },
      },
    },
    async (request, reply) => reply.code(201).send(await admin.createGroup(request.body)),
  );

  app.patch(
    '/user-groups/:id',
    {
      schema: {
        tags: ['users'],
        summary: 'Rename a user group or replace its permissions',
        params: idParams,
        body: userGroupChangesBody,
        response: { 200: userGroup, ...errors },
      },
    },
    (request) => admin.updateGroup(request.params.id, request.body),
  );

  app.get(
    '/permissions',
    {
      schema: {
        tags: ['users'],
        summary: 'Every permission: view/add/change/delete per model, run per session',
        querystring: z.object({ ...wholeListPaging }),
        response: { 200: z.array(permission) },
      },
    },
    () => project.permissions.list(),
  );
};
