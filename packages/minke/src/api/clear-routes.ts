import { clearBody, clearReply, modelParams } from '@minke/contract';
import { clearSessions } from '../operations/clear-sessions.js';
import type { ApiRoutes } from './api-context.js';
import { principalOf } from './request-auth.js';

/**
 * Clear (the original's): the caller's current session on the selected records stops showing in
 * their lists; other users' lists and the history are untouched.
 */
export const clearRoutes: ApiRoutes = (app, { project }) => {
  app.post(
    '/records/:model/clear',
    {
      schema: {
        tags: ['records'],
        summary: "Clear the caller's current session (`_lastSession`) on records; history stays",
        params: modelParams,
        body: clearBody,
        response: {
          200: clearReply,
        },
      },
    },
    async (request) => {
      const { ids, where, all } = request.body;
      return clearSessions(project, {
        model: request.params.model,
        ids,
        where,
        all,
        user: principalOf(request).access,
      });
    },
  );
};
