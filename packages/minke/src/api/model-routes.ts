import { z } from 'zod';
import { modelCatalog, modelMeta, sessionCatalog } from '../operations/catalog.js';
import type { ApiRoutes } from './api-context.js';
import { principalOf } from './request-auth.js';
import { protectedErrors, wholeListPaging } from './schemas.js';

/** Model metadata for the admin, and the sessions catalog (what the caller may run). */
export const modelRoutes: ApiRoutes = (app, { project }) => {
  app.get(
    '/models',
    {
      schema: {
        tags: ['metadata'],
        summary: 'Models the caller may view: fields, filters, ordering, permissions and sessions',
        querystring: z.object({ ...wholeListPaging }),
        response: protectedErrors,
      },
    },
    (request) => modelCatalog(project, principalOf(request).access),
  );

  app.get(
    '/models/:model',
    {
      schema: {
        tags: ['metadata'],
        summary: 'One model, as in the list',
        params: z.object({ model: z.string() }),
        response: protectedErrors,
      },
    },
    (request) => modelMeta(project, request.params.model, principalOf(request).access),
  );

  app.get(
    '/sessions',
    {
      schema: {
        tags: ['sessions'],
        summary:
          'Sessions the caller may run (on one model with ?model=), with their forms as JSON Schema',
        querystring: z.object({ model: z.string().optional() }),
        response: protectedErrors,
      },
    },
    (request) => sessionCatalog(project, principalOf(request).access, request.query.model),
  );
};
