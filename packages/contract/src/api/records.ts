import { z } from 'zod';
import { pageOf, paging, selection } from './common.js';
import { processState, sessionResult } from '../states.js';

/** The viewer's current session on a record, as lists show it. */
export const lastSession = z.object({
  id: z.number(),
  runId: z.number(),
  session: z.string(),
  processState,
  result: sessionResult.nullable(),
  createdAt: z.string(),
  finishedAt: z.string().nullable(),
});
export type LastSession = z.infer<typeof lastSession>;

/** A record as the admin lists it: its fields (any, by model), a label, its last session. */
export const recordView = z.looseObject({
  id: z.number(),
  _label: z.string(),
  _lastSession: lastSession.nullable(),
  /** Hosts: their groups, in layering order. */
  groups: z.array(z.string()).optional(),
});
export type RecordView = z.infer<typeof recordView>;

export const recordPage = pageOf(recordView);

export const recordParams = z.object({
  model: z.string(),
  id: z.coerce.number().int().positive(),
});

export const recordListQuery = z.object({
  where: z
    .string()
    .optional()
    .describe('filter, e.g. `server.host.name = web-1 and version ^= "10."`'),
  search: z.string().optional().describe('free text in the search fields'),
  order: z.string().optional().describe('fields, comma-separated, `-` for descending: `name,-id`'),
  lastStatus: z
    .union([z.string(), z.array(z.string())])
    .optional()
    .describe(
      "result of the caller's current session on the record (as `_lastSession`; a cleared one matches nothing): success, warning, error; several, comma-separated (`error,warning`) or repeated, match any",
    ),
  ...paging,
});

/** `GET /api/records/:model/export.csv`: the list's filters, every matching record (no paging). */
export const recordExportQuery = recordListQuery.omit({ limit: true, offset: true });
export type RecordExportQuery = z.infer<typeof recordExportQuery>;

export const recordBody = z
  .record(z.string(), z.unknown())
  .describe("the record's fields (refs as ids)");

export const clearBody = z.object(selection).strict().describe('exactly one of ids, where, all');
export const clearReply = z.object({ selected: z.number(), cleared: z.number() });
export type ClearReply = z.infer<typeof clearReply>;
