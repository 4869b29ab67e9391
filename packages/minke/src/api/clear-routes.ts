import { z } from 'zod';
import { clearSessions } from '../operations/clear-sessions.js';
import type { ApiRoutes } from './api-context.js';
import { principalOf } from './request-auth.js';
import { errorReply, protectedErrors } from './schemas.js';

const clearParams = z.object({ model: z.string() });
const clearBody = z
  .object({
    ids: z
      .array(z.union([z.number().int().positive(), z.string().min(1)]))
      .optional()
      .describe('record ids; for Host, names work too'),
    where: z.string().optional().describe('a filter, as in `minke run --where`'),
    all: z.boolean().optional().describe('every record of the model'),
  })
  .strict()
  .describe('exactly one of ids, where, all');

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
        params: clearParams,
        body: clearBody,
        response: {
          200: z.object({ selected: z.number(), cleared: z.number() }),
          ...protectedErrors,
          400: errorReply,
          404: errorReply,
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
