import type { FastifyRequest } from 'fastify';
import type { z } from 'zod';
import type { ApiApp } from './api-context.js';
import { noContent, type errorReply } from './schemas.js';

/** What a DELETE route declares besides its answer, which is always 204 with no body. */
export interface DeleteRoute<Params extends z.ZodType> {
  tags: string[];
  summary: string;
  params: Params;
  /**
   * The error replies it may give besides those every protected route on a path gives (401, 403,
   * 404, 400: the OpenAPI document adds them, `standardErrors`), by status.
   */
  errors?: Readonly<Record<number, typeof errorReply>>;
}

/**
 * Declares a DELETE route that answers 204 once `remove` is done (it checks the caller's right
 * and throws the errors it declares).
 *
 * @example
 *   deleteRoute(app, '/hosts/:name', { tags: ['hosts'], summary: 'Remove a host',
 *     params: nameParams }, async ({ name }) => hosts.remove(name));
 */
export function deleteRoute<Params extends z.ZodType>(
  app: ApiApp,
  url: string,
  route: DeleteRoute<Params>,
  remove: (params: z.infer<Params>, request: FastifyRequest) => Promise<unknown>,
): void {
  app.delete(
    url,
    {
      schema: {
        tags: route.tags,
        summary: route.summary,
        params: route.params,
        response: { 204: noContent, ...route.errors },
      },
    },
    async (request, reply) => {
      // The validator has parsed the path with `route.params`; the type provider cannot follow a
      // schema that is a type parameter, so the parsed value is named here.
      await remove(request.params as z.infer<Params>, request);
      return reply.code(204).send();
    },
  );
}
