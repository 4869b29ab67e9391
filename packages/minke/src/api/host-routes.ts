import { z } from 'zod';
import {
  hostChanges,
  hostGroup,
  hostGroupChanges,
  hostGroupInput,
  hostGroupsQuery,
  hostImportBody,
  hostImportReport,
  hostInput,
  hostListQuery,
  hostPage,
  hostRecord,
} from '@minke/contract';
import { importHosts } from '../operations/import-hosts.js';
import { parseWhere } from '../query/parse-where.js';
import { requireHostRight } from './host-right.js';
import type { ApiRoutes } from './api-context.js';
import { principalOf } from './request-auth.js';
import { matchingName } from './name-search.js';
import { errorReply, nameParams } from './schemas.js';
import { deleteRoute } from './delete-route.js';

/** Hosts by name, with their groups; OpenSSH config import; host groups. Host permissions apply. */
export const hostRoutes: ApiRoutes = (app, { project }) => {
  app.get(
    '/hosts',
    {
      schema: {
        tags: ['hosts'],
        summary: 'List hosts with their groups',
        querystring: hostListQuery,
        response: { 200: hostPage },
      },
    },
    async (request) => {
      requireHostRight(request, 'view');
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
          201: hostRecord,
          409: errorReply,
        },
      },
    },
    async (request, reply) => {
      requireHostRight(request, 'add');
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
        response: { 200: hostRecord },
      },
    },
    async (request) => {
      requireHostRight(request, 'view');
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
        response: { 200: hostRecord },
      },
    },
    async (request) => {
      requireHostRight(request, 'change');
      return project.hosts.update(request.params.name, request.body, principalOf(request).access);
    },
  );

  deleteRoute(
    app,
    '/hosts/:name',
    {
      tags: ['hosts'],
      summary: 'Remove a host',
      params: nameParams,
    },
    async ({ name }, request) => {
      requireHostRight(request, 'delete');
      await project.hosts.remove(name);
    },
  );

  app.post(
    '/hosts/import',
    {
      schema: {
        tags: ['hosts'],
        summary: 'Import hosts from an OpenSSH config (one per concrete Host entry)',
        body: hostImportBody,
        response: { 200: hostImportReport },
      },
    },
    async (request) => {
      requireHostRight(request, 'add');
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
        querystring: hostGroupsQuery,
        response: { 200: z.array(hostGroup) },
      },
    },
    async (request) => {
      requireHostRight(request, 'view');
      return matchingName(await project.hosts.listGroups(), request.query.q, (g) => g.name);
    },
  );

  app.post(
    '/groups',
    {
      schema: {
        tags: ['hosts'],
        summary: 'Add a host group (needs change_host, as editing and removing one)',
        body: hostGroupInput,
        response: {
          201: hostGroup,
          409: errorReply,
        },
      },
    },
    async (request, reply) => {
      requireHostRight(request, 'change');
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
        response: { 200: hostGroup },
      },
    },
    async (request) => {
      requireHostRight(request, 'view');
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
        body: hostGroupChanges,
        response: {
          200: hostGroup,
          409: errorReply,
        },
      },
    },
    async (request) => {
      requireHostRight(request, 'change');
      return project.hosts.updateGroup(
        request.params.name,
        request.body,
        principalOf(request).access,
      );
    },
  );

  deleteRoute(
    app,
    '/groups/:name',
    {
      tags: ['hosts'],
      summary: 'Remove a host group (its hosts stay, without its connection config)',
      params: nameParams,
    },
    async ({ name }, request) => {
      requireHostRight(request, 'change');
      await project.hosts.removeGroup(name, principalOf(request).access);
    },
  );
};
