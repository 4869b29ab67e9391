import { z } from 'zod';
import { requireSuperuser } from '../auth/access.js';
import { UserAdmin } from '../operations/user-admin.js';
import type { ApiRoutes } from './api-context.js';
import { principalOf } from './request-auth.js';
import { matchingName, nameSearch } from './name-search.js';
import {
  errorReply,
  idParams,
  jsonReply,
  noContent,
  protectedErrors,
  wholeListPaging,
} from './schemas.js';

const newUser = z
  .object({
    username: z.string(),
    password: z.string(),
    isSuperuser: z.boolean().optional(),
    groups: z.array(z.string()).optional(),
    permissions: z.array(z.string()).optional().describe('codenames granted directly'),
  })
  .strict();
const userChanges = z
  .object({
    password: z.string().optional(),
    isSuperuser: z.boolean().optional(),
    isActive: z.boolean().optional(),
    groups: z.array(z.string()).optional().describe('replaces the current groups'),
    permissions: z.array(z.string()).optional().describe('replaces the directly granted codenames'),
  })
  .strict();
const newGroup = z
  .object({ name: z.string(), permissions: z.array(z.string()).optional() })
  .strict();
const groupChanges = newGroup.partial();

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
  const errors = { ...protectedErrors, 400: errorReply, 404: errorReply, 409: errorReply };

  app.get(
    '/users',
    {
      schema: {
        tags: ['users'],
        summary: 'Users; `q` finds them by a part of the username',
        querystring: z.object({ ...nameSearch, ...wholeListPaging }),
        response: protectedErrors,
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
        body: newUser,
        response: { 201: jsonReply('the user'), ...errors },
      },
    },
    async (request, reply) => reply.code(201).send(await admin.create(request.body)),
  );

  app.get(
    '/users/:id',
    { schema: { tags: ['users'], summary: 'One user', params: idParams, response: errors } },
    (request) => admin.get(request.params.id),
  );

  app.patch(
    '/users/:id',
    {
      schema: {
        tags: ['users'],
        summary: 'Change a user: password, superuser, active, groups, permissions',
        params: idParams,
        body: userChanges,
        response: errors,
      },
    },
    (request) => admin.update(request.params.id, request.body),
  );

  app.delete(
    '/users/:id',
    {
      schema: {
        tags: ['users'],
        summary:
          'Delete a user with their tokens and login sessions (not yourself, not the last superuser); their runs stay',
        params: idParams,
        response: { 204: noContent, ...errors },
      },
    },
    async (request, reply) => {
      await admin.remove(request.params.id, principalOf(request).user.id);
      runAccess.forgetOwner(request.params.id);
      return reply.code(204).send();
    },
  );

  app.get(
    '/user-groups',
    {
      schema: {
        tags: ['users'],
        summary: 'User groups and their permissions',
        querystring: z.object({ ...wholeListPaging }),
        response: protectedErrors,
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
        body: newGroup,
        response: { 201: jsonReply('the group'), ...errors },
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
        body: groupChanges,
        response: errors,
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
        response: protectedErrors,
      },
    },
    () => project.permissions.list(),
  );
};
