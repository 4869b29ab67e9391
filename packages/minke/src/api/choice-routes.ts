import { choiceList, choiceParams, choiceQuery } from '@minke/contract';
import { listChoices } from '../choices/list-choices.js';
import type { ApiRoutes } from './api-context.js';
import { principalOf } from './request-auth.js';

/** A form field's choices for the current selection (the run dialog loads them). */
export const choiceRoutes: ApiRoutes = (app, { project }) => {
  app.get(
    '/sessions/:name/choices/:field',
    {
      schema: {
        tags: ['sessions'],
        summary: "A form field's choices for a selection, with counts for facts and fields",
        params: choiceParams,
        querystring: choiceQuery,
        response: { 200: choiceList },
      },
    },
    async (request) => {
      const { ids, model, where } = request.query;
      return listChoices(project, {
        session: request.params.name,
        field: request.params.field,
        model,
        where,
        ids:
          ids === undefined
            ? undefined
            : ids
                .split(',')
                .map((id) => id.trim())
                .filter(Boolean),
        user: principalOf(request).access,
      });
    },
  );
};
