import { rerunBody, startedRun } from '@minke/contract';
import { rerunRun } from '../operations/rerun-run.js';
import type { ApiRoutes } from './api-context.js';
import { principalOf } from './request-auth.js';
import { startedRunReply } from './started-run-reply.js';
import { idParams } from './schemas.js';

/**
 * Re-run: a run's session again on the same objects (or those that failed) with its form data.
 * Only who may see the run may re-run it; the new run is checked and audited as any start.
 */
export const rerunRoutes: ApiRoutes = (app, context) => {
  const { runtime, runAccess } = context;

  app.post(
    '/runs/:id/rerun',
    {
      schema: {
        tags: ['runs'],
        summary: "Run a run's session again on its objects (or on those that failed only)",
        params: idParams,
        body: rerunBody,
        response: { 201: startedRun },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      await runAccess.checkRun(principal, request.params.id);
      const started = await rerunRun(runtime, {
        runId: request.params.id,
        failedOnly: request.body.failedOnly,
        data: request.body.data,
        connection: request.body.connection,
        timeoutMs: request.body.timeoutMs,
        runTimeoutMs: request.body.runTimeoutMs,
        user: principal.access,
      });
      return reply.code(201).send(startedRunReply(started));
    },
  );
};
