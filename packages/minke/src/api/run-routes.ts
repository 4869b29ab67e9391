import { z } from 'zod';
import { mayOnModel } from '../auth/access.js';
import { HOST_MODEL } from '../model/host-model.js';
import { getRun, listRuns } from '../operations/list-runs.js';
import { startRun } from '../operations/start-run.js';
import { stopRun } from '../operations/stop-run.js';
import type { ApiRoutes } from './api-context.js';
import { principalOf } from './request-auth.js';
import { errorReply, idParams, jsonReply, paging, protectedErrors } from './schemas.js';

const startBody = z
  .object({
    session: z.string().min(1).describe('the session (class) name'),
    model: z.string().optional().describe('needed when the session works on several models'),
    ids: z
      .array(z.union([z.number().int().positive(), z.string().min(1)]))
      .optional()
      .describe('record ids; for Host, names work too'),
    where: z.string().optional().describe('a filter, as in `minke run --where`'),
    all: z.boolean().optional().describe('every record of the model'),
    offset: z
      .number()
      .int()
      .min(0)
      .optional()
      .describe('a page of the selection, in id order: skip this many'),
    limit: z
      .number()
      .int()
      .min(1)
      .optional()
      .describe('a page of the selection, in id order: at most this many'),
    data: z.record(z.string(), z.unknown()).optional().describe("the session's form values"),
    connection: z
      .record(z.string(), z.unknown())
      .optional()
      .describe('run-time connection values (the last layer), for this run only; never stored'),
  })
  .strict()
  .describe('exactly one of ids, where, all');

const startedRun = z.object({
  id: z.number(),
  session: z.string(),
  model: z.string(),
  records: z.array(
    z.object({
      recordId: z.number(),
      objectId: z.number(),
      objectLabel: z.string(),
      hostName: z.string().nullable(),
      canceled: z.string().optional(),
    }),
  ),
});

/** Runs: start (the caller's run permission is checked), list, get, stop. */
export const runRoutes: ApiRoutes = (app, context) => {
  const { project, runtime, runAccess } = context;

  app.post(
    '/runs',
    {
      schema: {
        tags: ['runs'],
        summary: 'Start a run of a session on records',
        body: startBody,
        response: { 201: startedRun, ...protectedErrors, 400: errorReply, 404: errorReply },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const { session, model, ids, where, all, offset, limit, data, connection } = request.body;
      const started = await startRun(runtime, {
        session,
        model,
        ids,
        where,
        all,
        offset,
        limit,
        data,
        connection,
        user: principal.access,
      });
      return reply.code(201).send({
        id: started.runId,
        session: started.session.name,
        model: started.model,
        records: started.records,
      });
    },
  );

  app.get(
    '/runs',
    {
      schema: {
        tags: ['runs'],
        summary: "The caller's runs, newest first (superusers: everyone's)",
        querystring: z.object({ session: z.string().optional(), ...paging }),
        response: protectedErrors,
      },
    },
    async (request) => {
      const principal = principalOf(request);
      return listRuns(project.database, {
        ...request.query,
        userId: principal.access.isSuperuser ? undefined : principal.user.id,
      });
    },
  );

  app.get(
    '/runs/:id',
    {
      schema: {
        tags: ['runs'],
        summary: 'A run: its state, counters and session records with their states and results',
        params: idParams,
        response: { ...protectedErrors, 404: errorReply },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      await runAccess.checkRun(principal, request.params.id);
      const run = await getRun(project.database, request.params.id);
      // As when it started: a user who may not view hosts runs on them without their names.
      if (mayOnModel(principal.access, 'view', HOST_MODEL)) return run;
      return { ...run, sessions: run.sessions.map((s) => ({ ...s, hostName: null })) };
    },
  );

  app.post(
    '/runs/:id/stop',
    {
      schema: {
        tags: ['runs'],
        summary:
          'Stop every unfinished session of a run (waiting ones are canceled); again to kill',
        params: idParams,
        response: {
          202: jsonReply('{ outcomes: [{ recordId, outcome }] }'),
          ...protectedErrors,
          404: errorReply,
        },
      },
    },
    async (request, reply) => {
      await runAccess.checkRun(principalOf(request), request.params.id);
      return reply.code(202).send({ outcomes: await stopRun(runtime, request.params.id) });
    },
  );
};
