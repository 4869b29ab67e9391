import {
  modelMeta as modelMetaReply,
  modelParams,
  modelsQuery,
  sessionMeta,
  sessionsQuery,
} from '@minke/contract';
import { z } from 'zod';
import { modelCatalog, modelMeta, sessionCatalog } from '../operations/catalog.js';
import type { ApiRoutes } from './api-context.js';
import { principalOf } from './request-auth.js';

/** Model metadata for the admin, and the sessions catalog (what the caller may run). */
export const modelRoutes: ApiRoutes = (app, { project }) => {
  app.get(
    '/models',
    {
      schema: {
        tags: ['metadata'],
        summary: 'Models the caller may view: fields, filters, ordering, permissions and sessions',
        querystring: modelsQuery,
        response: { 200: z.array(modelMetaReply) },
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
        params: modelParams,
        response: { 200: modelMetaReply },
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
        querystring: sessionsQuery,
        response: { 200: z.array(sessionMeta) },
      },
    },
    (request) => sessionCatalog(project, principalOf(request).access, request.query.model),
  );
};
