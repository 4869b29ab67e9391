import { z } from 'zod';
import { pageOf, paging, selection } from './common.js';
import { processState, sessionResult } from '../states.js';

export { RECORD_IMPORT_MAX_BYTES } from './import-limit.js';

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

/** `POST /api/records/:model/import`: CSV as `export.csv` writes it (or a spreadsheet's). */
export const recordImportBody = z
  .object({
    csv: z.string().describe('the CSV text, with a header row'),
    dryRun: z.boolean().default(false).describe('check every row and say what would change'),
  })
  .strict();
export type RecordImportBody = z.input<typeof recordImportBody>;

/** One field of a record, its value before and after a change, each as `value` says. */
const fieldChangeOf = <Value extends z.ZodType>(value: Value) =>
  z.object({ field: z.string(), before: value, after: value });

/** One field an imported row changes, each value as a person reads it (a ref by its label). */
export const importedChange = fieldChangeOf(z.string());
export type ImportedChange = z.infer<typeof importedChange>;

/** A row that added a record, or changed one (a row that changed nothing is only counted). */
export const importedRow = z.object({
  line: z.number().describe('the line of the CSV the row starts on'),
  outcome: z.enum(['added', 'changed']),
  label: z.string().describe('the record (on a dry run, a row that adds: `Model from line N`)'),
  changes: z.array(importedChange),
});
export type ImportedRow = z.infer<typeof importedRow>;

export const recordImportReply = z.object({
  dryRun: z.boolean(),
  added: z.number(),
  changed: z.number(),
  unchanged: z.number(),
  rows: z.array(importedRow),
});
export type RecordImportReply = z.infer<typeof recordImportReply>;

export const recordBody = z
  .record(z.string(), z.unknown())
  .describe("the record's fields (refs as ids)");

export const clearBody = z.object(selection).strict().describe('exactly one of ids, where, all');
export const clearReply = z.object({ selected: z.number(), cleared: z.number() });
export type ClearReply = z.infer<typeof clearReply>;

/** One field of a record as a change left it: its value before (null: none) and after. */
export const fieldChange = fieldChangeOf(z.unknown());
export type FieldChange = z.infer<typeof fieldChange>;

/**
 * A change to one record, from the audit log: who made it, when, through what (`web`, `api`,
 * `cli`, ...), the action (`record.update`, `host.create`, ...) and the fields it changed.
 */
export const recordChange = z.object({
  id: z.number(),
  at: z.string(),
  actor: z.object({ id: z.number().nullable(), name: z.string() }),
  via: z.string(),
  action: z.string(),
  fields: z.array(fieldChange),
});
export type RecordChange = z.infer<typeof recordChange>;

export const recordChangesQuery = z.object({ ...paging });
export const recordChangesPage = pageOf(recordChange);
export type RecordChangesPage = z.infer<typeof recordChangesPage>;
