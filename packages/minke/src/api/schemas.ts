import { z } from 'zod';

/** Shapes shared by several route plugins (and their OpenAPI descriptions). */
export const errorReply = z
  .object({
    error: z.object({
      code: z
        .string()
        .describe(
          'input | not_found | permission_denied | conflict | unavailable | unauthenticated | csrf | rate_limited | session | internal',
        ),
      message: z.string(),
      fields: z
        .record(z.string(), z.string())
        .optional()
        .describe('the fields at fault, for input errors'),
    }),
  })
  .describe('An error');

export const idParams = z.object({ id: z.coerce.number().int().positive() });

export const paging = {
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(1000)
    .optional()
    .describe('page size (default 50, at most 1000)'),
  offset: z.coerce.number().int().min(0).optional(),
};

/**
 * `limit`/`offset` on a small list the server returns whole (paging clients such as the web admin
 * send them and page the reply themselves): accepted, so that they are not refused as unknown.
 */
export const wholeListPaging = {
  limit: paging.limit.describe('accepted for paging clients; the whole list is returned'),
  offset: paging.offset.describe('accepted for paging clients; the whole list is returned'),
};

/** Common error replies of protected routes, for the OpenAPI document. */
export const protectedErrors = { 401: errorReply, 403: errorReply } as const;

export const userSummary = z.object({
  id: z.number(),
  username: z.string(),
  isSuperuser: z.boolean(),
});

/** A reply without a body (204), for the OpenAPI document. */
export const noContent = { type: 'null', description: 'No content' } as const;

/** A reply whose shape the route's summary describes (the document lists it as JSON). */
export const jsonReply = (description: string) =>
  ({ description, type: 'object', additionalProperties: true }) as const;
