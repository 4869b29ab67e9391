import {
  runDetail,
  runListQuery,
  runPage,
  runSessionsPage,
  runSessionsQuery,
  runStopReply,
  startRunBody,
  startedRun,
} from '@minke/contract';
import { mayOnModel } from '../auth/access.js';
import { HOST_MODEL } from '../model/host-model.js';
import { getRun, listRuns } from '../runs/list-runs.js';
import { readRunSessions } from '../runs/run-sessions.js';
import { startRun } from '../operations/start-run.js';
import { stopRun } from '../operations/stop-run.js';
import type { ApiRoutes } from './api-context.js';
import { principalOf } from './request-auth.js';
import { startedRunReply } from './started-run-reply.js';
import { errorReply, idParams } from './schemas.js';

/** Runs: start (the caller's run permission is checked), list, get, a page of sessions, stop. */
export const runRoutes: ApiRoutes = (app, context) => {
  const { project, runtime, runAccess } = context;

  app.post(
    '/runs',
    {
      schema: {
        tags: ['runs'],
        summary: 'Start a run of a session on records',
        body: startRunBody,
        response: { 201: startedRun, 404: errorReply },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const { session, model, ids, where, all, offset, limit, data, connection, batch } =
        request.body;
      const { timeoutMs, runTimeoutMs } = request.body;
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
        batch,
        timeoutMs,
        runTimeoutMs,
        user: principal.access,
      });
      return reply.code(201).send(startedRunReply(started));
    },
  );

  app.get(
    '/runs',
    {
      schema: {
        tags: ['runs'],
        summary: "The caller's runs, newest first (superusers: everyone's)",
        querystring: runListQuery,
        response: { 200: runPage },
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
        response: { 200: runDetail },
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

  app.get(
    '/runs/:id/sessions',
    {
      schema: {
        tags: ['runs'],
        summary:
          "A page of a run's sessions, oldest first, optionally of one outcome, with the run and the counts per outcome",
        params: idParams,
        querystring: runSessionsQuery,
        response: { 200: runSessionsPage },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      await runAccess.checkRun(principal, request.params.id);
      const page = await readRunSessions(project.database, request.params.id, request.query);
      if (mayOnModel(principal.access, 'view', HOST_MODEL)) return page;
      return { ...page, items: page.items.map((s) => ({ ...s, hostName: null })) };
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
          202: runStopReply,
        },
      },
    },
    async (request, reply) => {
      await runAccess.checkRun(principalOf(request), request.params.id);
      return reply.code(202).send({ outcomes: await stopRun(runtime, request.params.id) });
    },
  );
};
