import { stopSessionRecord } from '../operations/stop-run.js';
import {
  commandOutputParams,
  commandOutputQuery,
  sessionRecordDetail,
  sessionRecordPage,
  sessionRecordQuery,
  sessionRecordStopReply,
} from '@minke/contract';
import { InputError, NotFoundError, PermissionDenied } from '../errors.js';
import { openFullOutput } from '../runs/full-output.js';
import { checkStatusFilter, type ObjectRef } from '../runs/history.js';
import type { ApiRoutes } from './api-context.js';
import { hideHostInDetail, hideHostInItem, mayViewHosts } from './host-name-visibility.js';
import { principalOf } from './request-auth.js';
import { idParams } from './schemas.js';
import { streamedDownload } from './download-reply.js';

/** A text download, streamed from the output store. */
const textDownload = streamedDownload('the full text (text/plain)');

/** Session records (history): the caller's own, superusers everyone's; details; stop. */
export const sessionRecordRoutes: ApiRoutes = (app, { history, runtime, runAccess, project }) => {
  /** The id of the user a `user` filter names, by id or by name. */
  const userIdOf = async (text: string): Promise<number> => {
    const value = text.trim();
    if (/^\d+$/.test(value)) return Number(value);
    try {
      return (await project.users.get(value)).id;
    } catch (error) {
      if (error instanceof NotFoundError)
        throw new InputError(`unknown user "${value}"`, { fields: { user: 'unknown user' } });
      throw error;
    }
  };

  app.get(
    '/session-records',
    {
      schema: {
        tags: ['session records'],
        summary: 'Session records, newest first',
        querystring: sessionRecordQuery,
        response: { 200: sessionRecordPage },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const q = request.query;
      const user = q.user === undefined ? undefined : await userIdOf(q.user);
      if (user !== undefined && user !== principal.user.id && !principal.access.isSuperuser) {
        throw new PermissionDenied("only superusers may see other users' session records");
      }
      const object = q.object === undefined ? undefined : objectRef(q.object);
      const showHosts = mayViewHosts(principal.access);
      // A host-name filter would tell which names exist: only for those who may view hosts.
      if (object && 'host' in object && !showHosts)
        throw new PermissionDenied('you may not filter by host: it needs the permission view_host');
      const page = await history.list({
        object,
        session: q.session,
        status: q.status === undefined ? undefined : checkStatusFilter(q.status),
        model: q.model,
        runId: q.run,
        user: principal.access.isSuperuser ? user : principal.user.id,
        since: q.since === undefined ? undefined : new Date(q.since),
        until: q.until === undefined ? undefined : new Date(q.until),
        limit: q.limit,
        offset: q.offset,
      });
      return showHosts ? page : { ...page, items: page.items.map(hideHostInItem) };
    },
  );

  app.get(
    '/session-records/:id',
    {
      schema: {
        tags: ['session records'],
        summary: 'A session record with its messages and commands',
        params: idParams,
        response: { 200: sessionRecordDetail },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const record = await history.get(request.params.id);
      runAccess.checkRecord(principal, record);
      return mayViewHosts(principal.access) ? record : hideHostInDetail(record);
    },
  );

  app.get(
    '/session-records/:id/commands/:position/output',
    {
      schema: {
        tags: ['session records'],
        summary: "One command's full output (stdout or stderr) as a text download",
        description:
          'The whole text, also when the record keeps only its head and tail (`truncated`): streamed from the output store, never held in memory. `position` counts the commands of the record from 1. Same permission as the record.',
        params: commandOutputParams,
        querystring: commandOutputQuery,
        response: { 200: textDownload },
      },
    },
    async (request, reply) => {
      const record = await history.get(request.params.id);
      runAccess.checkRecord(principalOf(request), record);
      const output = await openFullOutput(
        project.database,
        record.id,
        request.params.position,
        request.query.stream,
      );
      return reply
        .type('text/plain; charset=utf-8')
        .header('content-disposition', `attachment; filename="${output.filename}"`)
        .header('cache-control', 'no-store')
        .send(output.body);
    },
  );

  app.post(
    '/session-records/:id/stop',
    {
      schema: {
        tags: ['session records'],
        summary: 'Stop one session (waiting: canceled; running: after its command; again: killed)',
        params: idParams,
        response: { 202: sessionRecordStopReply },
      },
    },
    async (request, reply) => {
      const record = await history.get(request.params.id);
      runAccess.checkRecord(principalOf(request), record);
      return reply.code(202).send({ outcome: await stopSessionRecord(runtime, record.id) });
    },
  );
};

function objectRef(text: string): ObjectRef {
  const match = /^([A-Z][A-Za-z0-9]*):(\d+)$/.exec(text.trim());
  if (match) return { model: match[1] as string, id: Number(match[2]) };
  if (text.trim() === '')
    throw new InputError('object is empty', { fields: { object: 'Model:id or a host name' } });
  return { host: text.trim() };
}
