import { z } from 'zod';
import { requireModelPermission } from '../auth/access.js';
import { HOST_MODEL } from '../model/host-model.js';
import { importHosts } from '../operations/import-hosts.js';
import { parseWhere } from '../query/parse-where.js';
import type { ApiRoutes } from './api-context.js';
import { principalOf } from './request-auth.js';
import { matchingName, nameSearch } from './name-search.js';
import {
  errorReply,
  jsonReply,
  noContent,
  paging,
  protectedErrors,
  wholeListPaging,
} from './schemas.js';

const connectionConfig = z
  .union([z.string(), z.record(z.string(), z.unknown())])
  .describe('connection config: a mapping, or YAML/JSON text');

/** A host as the API takes it: the Host fields plus its groups, in layering order. */
export const hostInput = z
  .object({
    name: z.string().describe('unique, DNS-safe: web-1.example.com'),
    hostname: z.string().nullable().optional(),
    port: z.number().int().nullable().optional(),
    user: z.string().nullable().optional(),
    config: connectionConfig.optional(),
    groups: z.array(z.string()).optional(),
    disabled: z.boolean().optional(),
    comment: z.string().nullable().optional(),
  })
  .strict();

export const hostChanges = hostInput.partial();

const nameParams = z.object({ name: z.string() });
const importBody = z.union([
  z.string().describe('OpenSSH config text (Content-Type: text/plain)'),
  z
    .object({
      text: z.string().describe('OpenSSH config text'),
      dryRun: z.boolean().optional(),
      groups: z.array(z.string()).optional().describe('put the imported hosts in these groups'),
    })
    .strict(),
]);
const groupInput = z
  .object({
    name: z.string(),
    config: connectionConfig.optional(),
    comment: z.string().nullable().optional(),
  })
  .strict();
const groupChanges = z
  .object({
    name: z.string().optional().describe('a new name; hosts keep the group'),
    config: connectionConfig.optional().describe('replaces the connection config'),
    comment: z.string().nullable().optional(),
    members: z
      .array(z.string())
      .optional()
      .describe(
        'host names: the members afterwards (a host that joins gets the group last in its layering order)',
      ),
  })
  .strict();

/** Hosts by name, with their groups; OpenSSH config import; host groups. Host permissions apply. */
export const hostRoutes: ApiRoutes = (app, { project }) => {
  const may = (
    request: Parameters<typeof principalOf>[0],
    action: 'view' | 'add' | 'change' | 'delete',
  ) => requireModelPermission(principalOf(request).access, action, HOST_MODEL);

  app.get(
    '/hosts',
    {
      schema: {
        tags: ['hosts'],
        summary: 'List hosts with their groups',
        querystring: z.object({
          where: z.string().optional(),
          search: z.string().optional(),
          ...paging,
        }),
        response: protectedErrors,
      },
    },
    async (request) => {
      may(request, 'view');
      const { where, search, limit, offset } = request.query;
      return project.hosts.list({
        ...(where === undefined || where.trim() === '' ? {} : { filter: parseWhere(where) }),
        ...(search === undefined ? {} : { search }),
        ...(limit === undefined ? {} : { limit }),
        ...(offset === undefined ? {} : { offset }),
      });
    },
  );

  app.post(
    '/hosts',
    {
      schema: {
        tags: ['hosts'],
        summary: 'Add a host',
        body: hostInput,
        response: {
          201: jsonReply('the host'),
          ...protectedErrors,
          400: errorReply,
          409: errorReply,
        },
      },
    },
    async (request, reply) => {
      may(request, 'add');
      return reply
        .code(201)
        .send(await project.hosts.add(request.body, principalOf(request).access));
    },
  );

  app.get(
    '/hosts/:name',
    {
      schema: {
        tags: ['hosts'],
        summary: 'One host',
        params: nameParams,
        response: protectedErrors,
      },
    },
    async (request) => {
      may(request, 'view');
      return project.hosts.get(request.params.name);
    },
  );

  app.patch(
    '/hosts/:name',
    {
      schema: {
        tags: ['hosts'],
        summary: 'Change a host (groups replace the current ones)',
        params: nameParams,
        body: hostChanges,
        response: { ...protectedErrors, 400: errorReply },
      },
    },
    async (request) => {
      may(request, 'change');
      return project.hosts.update(request.params.name, request.body, principalOf(request).access);
    },
  );

  app.delete(
    '/hosts/:name',
    {
      schema: {
        tags: ['hosts'],
        summary: 'Remove a host',
        params: nameParams,
        response: { 204: noContent, ...protectedErrors },
      },
    },
    async (request, reply) => {
      may(request, 'delete');
      await project.hosts.remove(request.params.name);
      return reply.code(204).send();
    },
  );

  app.post(
    '/hosts/import',
    {
      schema: {
        tags: ['hosts'],
        summary: 'Import hosts from an OpenSSH config (one per concrete Host entry)',
        body: importBody,
        response: { ...protectedErrors, 400: errorReply },
      },
    },
    async (request) => {
      may(request, 'add');
      const body = request.body;
      const actor = principalOf(request).access;
      return typeof body === 'string'
        ? importHosts(project, body, { actor })
        : importHosts(project, body.text, { dryRun: body.dryRun, groups: body.groups, actor });
    },
  );

  app.get(
    '/groups',
    {
      schema: {
        tags: ['hosts'],
        summary: 'Host groups; `q` finds them by a part of the name (the group pickers send it)',
        querystring: z.object({ ...nameSearch, ...wholeListPaging }),
        response: protectedErrors,
      },
    },
    async (request) => {
      may(request, 'view');
      return matchingName(await project.hosts.listGroups(), request.query.q, (g) => g.name);
    },
  );

  app.post(
    '/groups',
    {
      schema: {
        tags: ['hosts'],
        summary: 'Add a host group (needs change_host, as editing and removing one)',
        body: groupInput,
        response: {
          201: jsonReply('the group'),
          ...protectedErrors,
          400: errorReply,
          409: errorReply,
        },
      },
    },
    async (request, reply) => {
      may(request, 'change');
      const { name, config, comment } = request.body;
      return reply
        .code(201)
        .send(
          await project.hosts.addGroup(
            { name, ...(config === undefined ? {} : { config }), comment: comment ?? null },
            principalOf(request).access,
          ),
        );
    },
  );

  app.get(
    '/groups/:name',
    {
      schema: {
        tags: ['hosts'],
        summary: 'One host group, with its members',
        params: nameParams,
        response: { ...protectedErrors, 404: errorReply },
      },
    },
    async (request) => {
      may(request, 'view');
      return project.hosts.getGroup(request.params.name);
    },
  );

  app.patch(
    '/groups/:name',
    {
      schema: {
        tags: ['hosts'],
        summary: 'Rename a host group, replace its connection config, or set its members',
        params: nameParams,
        body: groupChanges,
        response: { ...protectedErrors, 400: errorReply, 404: errorReply, 409: errorReply },
      },
    },
    async (request) => {
      may(request, 'change');
      return project.hosts.updateGroup(
        request.params.name,
        request.body,
        principalOf(request).access,
      );
    },
  );

  app.delete(
    '/groups/:name',
    {
      schema: {
        tags: ['hosts'],
        summary: 'Remove a host group (its hosts stay, without its connection config)',
        params: nameParams,
        response: { 204: noContent, ...protectedErrors, 404: errorReply },
      },
    },
    async (request, reply) => {
      may(request, 'change');
      await project.hosts.removeGroup(request.params.name, principalOf(request).access);
      return reply.code(204).send();
    },
  );
};
