import { z } from 'zod';
import { messageKind, messageLevel, processState, sessionResult, stopOutcome } from '../states.js';
import { pageOf, paging } from './common.js';

/** One session run on one object, as the history lists it. */
export const sessionRecordItem = z.object({
  id: z.number(),
  runId: z.number(),
  session: z.string(),
  verboseName: z.string(),
  model: z.string(),
  objectId: z.number(),
  objectLabel: z.string(),
  hostName: z.string().nullable(),
  userId: z.number().nullable(),
  /** Who started the run (null for runs the local CLI started, or a deleted user). */
  username: z.string().nullable(),
  processState,
  result: sessionResult.nullable(),
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  durationMs: z.number().nullable(),
  /** "waiting...", "completed in 1.2 seconds", "canceled!": the original's `proc_info`. */
  procInfo: z.string(),
});
export type SessionRecordItem = z.infer<typeof sessionRecordItem>;

export const sessionRecordPage = pageOf(sessionRecordItem);

export const historyMessage = z.object({
  id: z.number(),
  level: messageLevel,
  kind: messageKind,
  text: z.string(),
  data: z.unknown(),
  createdAt: z.string(),
});
export type HistoryMessage = z.infer<typeof historyMessage>;

/** What a command's stored copy of one stream leaves out, and where the full text is. */
export const outputCut = z.object({
  totalBytes: z.number(),
  totalLines: z.number(),
  droppedBytes: z.number(),
  droppedLines: z.number(),
  /** Whether the full text was stored; when not, `storeError` says why. */
  stored: z.boolean(),
  storeError: z.string().optional(),
  /** API path that streams the full text (null when it was not stored). */
  download: z.string().nullable(),
});
export type OutputCut = z.infer<typeof outputCut>;

export const historyCommand = z.object({
  id: z.number(),
  command: z.string(),
  exitCode: z.number().nullable(),
  signal: z.string().nullable(),
  stdout: z.string(),
  stderr: z.string(),
  pty: z.boolean(),
  killed: z.boolean(),
  timedOut: z.boolean(),
  status: z.string(),
  startedAt: z.string(),
  finishedAt: z.string(),
  durationMs: z.number(),
  /** True when `stdout` or `stderr` is only the head and tail of the output (see `outputCut`). */
  truncated: z.boolean(),
  /** Per stream that was cut: what was left out, and where to download the full text. */
  outputCut: z.object({ stdout: outputCut.optional(), stderr: outputCut.optional() }).nullable(),
});
export type HistoryCommand = z.infer<typeof historyCommand>;

/** A session record with the form data it ran with, its messages and its commands, in order. */
export const sessionRecordDetail = sessionRecordItem.extend({
  data: z.unknown(),
  messages: z.array(historyMessage),
  commands: z.array(historyCommand),
  /** True when some command's output in the record is only its head and tail. */
  outputTruncated: z.boolean(),
});
export type SessionRecordDetail = z.infer<typeof sessionRecordDetail>;

export const sessionRecordQuery = z.object({
  object: z.string().optional().describe('`Model:id`, or a host name'),
  session: z.string().optional(),
  status: z
    .string()
    .optional()
    .describe(
      'a result, a process state, or waiting / done: success, warning, error, initialized, running, completed, stopping, stopped, canceled, failed, waiting, done',
    ),
  model: z.string().optional(),
  run: z.coerce.number().int().positive().optional(),
  user: z
    .string()
    .regex(/\S/)
    .optional()
    .describe("the user who ran it: an id or a user name (other users' only for superusers)"),
  since: z.iso.datetime({ offset: true }).optional().describe('created at or after (ISO-8601)'),
  until: z.iso.datetime({ offset: true }).optional().describe('created before (ISO-8601)'),
  ...paging,
});

export const commandOutputParams = z.object({
  id: z.coerce.number().int().positive(),
  position: z.coerce.number().int().positive(),
});
export const commandOutputQuery = z.strictObject({
  stream: z.enum(['stdout', 'stderr']).default('stdout'),
});

export const sessionRecordStopReply = z.object({ outcome: stopOutcome });
