import { createRecord, deleteRecord, updateRecord } from '../operations/record-changes.js';
import {
  recordBody,
  recordListQuery,
  recordPage,
  recordParams,
  recordView,
  modelParams,
} from '@minke/contract';
import { requireModelPermission, type ModelAction } from '../auth/access.js';
import { NotFoundError } from '../errors.js';
import { HOST_MODEL } from '../model/host-model.js';
import { getRecordView, listRecords } from '../operations/list-records.js';
import type { Project } from '../operations/project.js';
import { parseWhere } from '../query/parse-where.js';
import type { Principal } from '../auth/principal.js';
import type { ApiRoutes } from './api-context.js';
import { hostChanges, hostInput } from '@minke/contract';
import { principalOf } from './request-auth.js';
import { errorReply } from './schemas.js';
import { inputErrorOf } from './zod-schema.js';
import { deleteRoute } from './delete-route.js';

/**
 * Records of every model (Host included): list, get, create, update, delete, each behind the
 * model's view/add/change/delete permission. Host writes go through the host operations (name
 * rules, connection config checks, groups).
 */
export const recordRoutes: ApiRoutes = (app, { project }) => {
  app.get(
    '/records/:model',
    {
      schema: {
        tags: ['records'],
        summary: 'List records: filter, search, order, page; each with _label and _lastSession',
        params: modelParams,
        querystring: recordListQuery,
        response: { 200: recordPage },
      },
    },
    async (request) => {
      const model = allowed(project, request.params.model, principalOf(request), 'view');
      const { where, search, order, lastStatus, limit, offset } = request.query;
      return listRecords(project, model, {
        filter: where === undefined || where.trim() === '' ? undefined : parseWhere(where),
        search,
        order: order
          ?.split(',')
          .map((s) => s.trim())
          .filter(Boolean),
        lastStatus,
        limit,
        offset,
        viewer: principalOf(request).user.id,
      });
    },
  );

  app.get(
    '/records/:model/:id',
    {
      schema: {
        tags: ['records'],
        summary: 'One record, with _label and _lastSession',
        params: recordParams,
        response: { 200: recordView },
      },
    },
    async (request) => {
      const model = allowed(project, request.params.model, principalOf(request), 'view');
      return getRecordView(project, model, request.params.id, principalOf(request).user.id);
    },
  );

  app.post(
    '/records/:model',
    {
      schema: {
        tags: ['records'],
        summary: 'Create a record; 400 with `fields` when it is invalid',
        params: modelParams,
        body: recordBody,
        response: {
          201: recordView,
          409: errorReply,
        },
      },
    },
    async (request, reply) => {
      const model = allowed(project, request.params.model, principalOf(request), 'add');
      const id =
        model === HOST_MODEL
          ? (await project.hosts.add(parseHost(request.body), principalOf(request).access)).id
          : (await createRecord(project, model, request.body)).id;
      return reply
        .code(201)
        .send(await getRecordView(project, model, id, principalOf(request).user.id));
    },
  );

  app.patch(
    '/records/:model/:id',
    {
      schema: {
        tags: ['records'],
        summary: 'Change some fields of a record',
        params: recordParams,
        body: recordBody,
        response: { 200: recordView, 409: errorReply },
      },
    },
    async (request) => {
      const { id } = request.params;
      const model = allowed(project, request.params.model, principalOf(request), 'change');
      if (model === HOST_MODEL) {
        const host = await project.records.get(HOST_MODEL, id);
        await project.hosts.update(
          String(host['name']),
          parseHostChanges(request.body),
          principalOf(request).access,
        );
      } else {
        await updateRecord(project, model, id, request.body);
      }
      return getRecordView(project, model, id, principalOf(request).user.id);
    },
  );

  deleteRoute(
    app,
    '/records/:model/:id',
    {
      tags: ['records'],
      summary: 'Delete a record (and, for a required ref, the records that depend on it)',
      params: recordParams,
    },
    async (params, request) => {
      const model = allowed(project, params.model, principalOf(request), 'delete');
      await deleteRecord(project, model, params.id);
    },
  );
};

/** The model, when it exists and the caller holds the permission for `action` on it. */
export function allowed(
  project: Project,
  model: string,
  principal: Principal,
  action: ModelAction,
): string {
  if (!project.models.models.has(model)) throw new NotFoundError(`unknown model "${model}"`);
  requireModelPermission(principal.access, action, model);
  return model;
}

function parseHost(body: unknown) {
  const parsed = hostInput.safeParse(body);
  if (!parsed.success) throw inputErrorOf(parsed.error, 'body');
  return parsed.data;
}

function parseHostChanges(body: unknown) {
  const parsed = hostChanges.safeParse(body);
  if (!parsed.success) throw inputErrorOf(parsed.error, 'body');
  return parsed.data;
}
