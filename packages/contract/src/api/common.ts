import { z } from 'zod';

/** The JSON body of every error reply: never a stack trace. */
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
export type ApiErrorBody = z.infer<typeof errorReply>;

/** A reply without a body (204). */
export const noContent = z.void().describe('No content');

export const idParams = z.object({ id: z.coerce.number().int().positive() });
export const nameParams = z.object({ name: z.string() });

/** The most items one page of a list may hold, on every paged route. */
export const MAX_PAGE_SIZE = 1000;

export const paging = {
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(MAX_PAGE_SIZE)
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

/**
 * `q`, as the web admin's autocomplete inputs send it (react-admin's default filter): a part of
 * the name to look for, any case. Small admin lists are filtered after they are read whole.
 */
export const nameSearch = {
  q: z.string().optional().describe('part of the name, any case'),
};

/** A page of a list: its items, how many there are in all, and the window. */
export const pageOf = <Item extends z.ZodType>(item: Item) =>
  z.object({ items: z.array(item), total: z.number(), limit: z.number(), offset: z.number() });
export type Page<T> = { items: T[]; total: number; limit: number; offset: number };

/** Selecting records to act on: exactly one of ids, where, all. */
export const selection = {
  ids: z
    .array(z.union([z.number().int().positive(), z.string().min(1)]))
    .optional()
    .describe('record ids; for Host, names work too'),
  where: z.string().optional().describe('a filter, as in `minke run --where`'),
  all: z.boolean().optional().describe('every record of the model'),
};
