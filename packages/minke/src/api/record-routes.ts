import { deleteRecord } from '../operations/record-changes.js';
import { addRecord, changeRecord } from '../operations/record-writes.js';
import { Readable } from 'node:stream';
import {
  recordBody,
  recordChangesPage,
  recordChangesQuery,
  RECORD_IMPORT_MAX_BYTES,
  recordImportBody,
  recordImportReply,
  recordExportQuery,
  recordListQuery,
  recordPage,
  recordParams,
  recordView,
  modelParams,
} from '@minke/contract';
import { mayOnModel, requireModelPermission, type ModelAction } from '../auth/access.js';
import { recordHistory } from '../audit/record-history.js';
import { NotFoundError } from '../errors.js';
import { exportRecordsCsv } from '../operations/export-records.js';
import { importRecordsCsv } from '../operations/import-records.js';
import type { MayView } from '../operations/record-labels.js';
import { getRecordView, listRecords, type RecordListQuery } from '../operations/list-records.js';
import type { Project } from '../operations/project.js';
import { parseWhere } from '../query/parse-where.js';
import type { Principal } from '../auth/principal.js';
import type { ApiRoutes } from './api-context.js';
import { principalOf } from './request-auth.js';
import { errorReply } from './schemas.js';
import { deleteRoute } from './delete-route.js';
import { streamedDownload } from './download-reply.js';

/**
 * Records of every model (Host included): list, get, create, update, delete, each behind the
 * model's view/add/change/delete permission. Host writes go through the host operations (name
 * rules, connection config checks, groups).
 */
export const recordRoutes: ApiRoutes = (app, { project }) => {
  /** One record as its reader may see it: their current session, labels through what they view. */
  const viewOf = (model: string, id: number, principal: Principal) =>
    getRecordView(project, model, id, principal.user.id, viewableBy(principal));

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
      const { limit, offset } = request.query;
      return listRecords(project, model, {
        ...listQueryOf(request.query),
        limit,
        offset,
        viewer: principalOf(request).user.id,
        mayView: viewableBy(principalOf(request)),
      });
    },
  );

  app.get(
    '/records/:model/export.csv',
    {
      schema: {
        tags: ['records'],
        summary: 'Every record the filters match, as CSV (a download)',
        description:
          "The list's filters and order, no paging. Columns: `id`, the model's fields, `created_at`, `updated_at`; a ref as its target's label (its id where the caller may not view the target's model), JSON as JSON. Text a spreadsheet would read as a formula starts with `'`. `x-total-count` says how many records follow.",
        params: modelParams,
        querystring: recordExportQuery,
        response: { 200: streamedDownload('the records (text/csv)') },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const model = allowed(project, request.params.model, principal, 'view');
      const csv = await exportRecordsCsv(
        project,
        model,
        { ...listQueryOf(request.query), viewer: principal.user.id },
        { mayView: viewableBy(principal) },
      );
      const day = new Date().toISOString().slice(0, 10);
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="${model}-${day}.csv"`)
        .header('cache-control', 'no-store')
        .header('x-total-count', String(csv.total))
        .send(Readable.from(csv.text));
    },
  );

  app.post(
    '/records/:model/import',
    {
      // A spreadsheet of many thousand rows is larger than the API's usual body limit.
      bodyLimit: IMPORT_BODY_LIMIT,
      schema: {
        tags: ['records'],
        summary:
          'Add and change records from CSV (as export.csv writes it); dryRun says what would change',
        description:
          "A row with an `id` changes that record, only in the fields that differ; a row without one adds a record. A ref is its target's label, id or name. Every row is checked first: a 400 names the bad rows in `fields` (`line 3`, the first ten) and nothing is written. Needs the model's view permission, and add or change as the rows do.",
        params: modelParams,
        body: recordImportBody,
        response: { 200: recordImportReply },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const model = allowed(project, request.params.model, principal, 'view');
      return importRecordsCsv(project, model, request.body.csv, {
        dryRun: request.body.dryRun,
        actor: principal.access,
        mayView: viewableBy(principal),
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
      return viewOf(model, request.params.id, principalOf(request));
    },
  );

  app.get(
    '/records/:model/:id/changes',
    {
      schema: {
        tags: ['records'],
        summary:
          "One record's changes from the audit log, newest first, with the fields each changed",
        description:
          "Who changed the record, when, through what, and each field's value before and after (secrets redacted as in the audit log). A deleted record's changes stay readable. Writes that are not audited (a session's `updateField`) are in the record's session history instead. Needs the model's view permission.",
        params: recordParams,
        querystring: recordChangesQuery,
        response: { 200: recordChangesPage },
      },
    },
    async (request) => {
      const model = allowed(project, request.params.model, principalOf(request), 'view');
      const { limit = 50, offset = 0 } = request.query;
      return recordHistory(project.database, model, request.params.id, { limit, offset });
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
      const id = await addRecord(project, model, request.body, principalOf(request).access);
      return reply.code(201).send(await viewOf(model, id, principalOf(request)));
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
      await changeRecord(project, model, id, request.body, principalOf(request).access);
      return viewOf(model, id, principalOf(request));
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

/** An import's body: the largest CSV, with room for the escapes of its quotes in JSON. */
const IMPORT_BODY_LIMIT = 2 * RECORD_IMPORT_MAX_BYTES;

/** The models a caller may view, for labels that follow refs. */
function viewableBy(principal: Principal): MayView {
  return (model) => mayOnModel(principal.access, 'view', model);
}

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

/** The list's filter, search, order and last-status filter, as the API's query gives them. */
function listQueryOf(query: {
  where?: string | undefined;
  search?: string | undefined;
  order?: string | undefined;
  lastStatus?: string | string[] | undefined;
}): RecordListQuery {
  const { where, search, order, lastStatus } = query;
  return {
    filter: where === undefined || where.trim() === '' ? undefined : parseWhere(where),
    search,
    order: order
      ?.split(',')
      .map((s) => s.trim())
      .filter(Boolean),
    lastStatus,
  };
}
