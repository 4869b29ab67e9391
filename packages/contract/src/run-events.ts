import { z } from 'zod';
import { runSummary } from './run-summary.js';
import { messageKind, messageLevel, processState, sessionResult } from './states.js';

const base = {
  runId: z.number(),
  /** ISO-8601 time the event happened. */
  at: z.string(),
};

const sessionState = {
  ...base,
  recordId: z.number(),
  objectId: z.number(),
  objectLabel: z.string(),
  hostName: z.string().nullable(),
  processState,
  result: sessionResult.nullable(),
};

/**
 * Everything that happens in a run, as one discriminated union: the bus, the SSE stream, the CLI
 * and the web all speak it (STYLE habit 6). The SSE stream sends each as `event: <type>`.
 */
export const runEvent = z.discriminatedUnion('type', [
  z.object({
    ...base,
    type: z.literal('run.started'),
    session: z.string(),
    model: z.string(),
    total: z.number(),
  }),
  z.object({ ...sessionState, type: z.literal('session.state') }),
  z.object({
    ...base,
    type: z.literal('command.started'),
    recordId: z.number(),
    command: z.string(),
  }),
  z.object({
    ...base,
    type: z.literal('output'),
    recordId: z.number(),
    stream: z.enum(['stdout', 'stderr']),
    chunk: z.string(),
    /** Characters left out before this chunk to keep live views bounded (the full output is in
     * the output store). */
    skipped: z.number().optional(),
    /** Characters the SSE stream dropped from this joined chunk (its per-flush cap). */
    truncated: z.number().optional(),
  }),
  z.object({
    ...base,
    type: z.literal('command.finished'),
    recordId: z.number(),
    command: z.string(),
    exitCode: z.number().nullable(),
    status: sessionResult,
    durationMs: z.number(),
  }),
  z.object({
    ...base,
    type: z.literal('message.added'),
    recordId: z.number(),
    level: messageLevel,
    kind: messageKind,
    text: z.string(),
  }),
  z.object({
    ...sessionState,
    type: z.literal('session.finished'),
    durationMs: z.number().nullable(),
  }),
  z.object({ ...base, type: z.literal('run.finished'), summary: runSummary }),
]);

export type RunEvent = z.infer<typeof runEvent>;
export type RunEventType = RunEvent['type'];
export type RunEventOf<T extends RunEventType> = Extract<RunEvent, { type: T }>;

/** An event as delivered: with the bus's sequence number, for resuming a stream. */
export type DeliveredEvent = RunEvent & { seq: number };

/** Every event type, for listening to each on an `EventSource`. */
export const RUN_EVENT_TYPES: readonly RunEventType[] = runEvent.options.map(
  (option) => option.shape.type.value,
);
