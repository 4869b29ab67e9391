import { runRollout } from '@minke/contract';
import { readRollout } from '../rollout/rollout-view.js';
import type { ApiRoutes } from './api-context.js';
import { principalOf } from './request-auth.js';
import { idParams } from './schemas.js';

/** A rolling run's batches (who may see the run may see them). */
export const rolloutRoutes: ApiRoutes = (app, { project, runAccess }) => {
  app.get(
    '/runs/:id/rollout',
    {
      schema: {
        tags: ['runs'],
        summary:
          "A rolling run's batches, its failure budget and why it stopped (null: not rolling)",
        params: idParams,
        response: { 200: runRollout },
      },
    },
    async (request) => {
      await runAccess.checkRun(principalOf(request), request.params.id);
      return readRollout(project.database, request.params.id);
    },
  );
};
