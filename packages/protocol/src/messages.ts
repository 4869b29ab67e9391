import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { nodeNameProblem, pluginNameProblem } from './names.js';
import type { Target } from './topics.js';

/**
 * The messages between the Minke server and its agents, as zod schemas with their inferred types.
 * Every message carries `v: 1`; a change that old agents cannot read gets a new version and a new
 * topic prefix (`minke/v2`), so both can run side by side during an upgrade.
 */
export const PROTOCOL_VERSION = 1 as const;

/**
 * How an agent turns a plugin's standard output into a value (Vogeler's `result_format`). New
 * formats are only ever appended: a server that knows fewer refuses results in the new ones.
 */
export const RESULT_FORMATS = [
  'json',
  'yaml',
  'output',
  'string',
  'raw',
  'pylist',
  'pydict',
] as const;
export type ResultFormat = (typeof RESULT_FORMATS)[number];

const version = z.literal(PROTOCOL_VERSION, { error: `v must be ${PROTOCOL_VERSION}` });
const timestamp = z.iso.datetime({ offset: true, error: 'must be an ISO 8601 date-time' });
const nodeName = z.string().superRefine((value, ctx) => {
  const problem = nodeNameProblem(value);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});
const pluginName = z.string().superRefine((value, ctx) => {
  const problem = pluginNameProblem(value);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});
/** An ed25519 signature is 64 bytes: 88 base64 characters ending in `==`. */
const signature = z
  .string()
  .regex(/^[A-Za-z0-9+/]{86}==$/, { error: 'must be a base64 ed25519 signature (64 bytes)' });

export const ResultFormatSchema = z.enum(RESULT_FORMATS, {
  error: `must be one of ${RESULT_FORMATS.join(', ')}`,
});

export const TargetSchema: z.ZodType<Target> = z.union(
  [z.strictObject({ all: z.literal(true) }), z.strictObject({ node: nodeName })],
  { error: 'must be {"all": true} or {"node": "<node name>"}' },
);

/** A request to run one plugin, written by the server. Only valid inside a {@link SignedRequest}. */
export const RequestSchema = z
  .object({
    v: version,
    id: z.uuid(),
    plugin: pluginName,
    target: TargetSchema,
    issuedAt: timestamp,
    expiresAt: timestamp,
    /** Reserved: agents never let a request change a plugin's command line, and ignore this. */
    args: z.record(z.string(), z.string()).optional(),
  })
  .refine((request) => Date.parse(request.expiresAt) > Date.parse(request.issuedAt), {
    error: 'must be later than issuedAt',
    path: ['expiresAt'],
  });
export type Request = z.infer<typeof RequestSchema>;

/** A request and the server's ed25519 signature over its canonical JSON (see `signing.ts`). */
export const SignedRequestSchema = z.object({ request: RequestSchema, signature });
export type SignedRequest = z.infer<typeof SignedRequestSchema>;

/**
 * What an agent reports for one plugin run. `id` is the result's own id: the server acknowledges
 * it and must treat a second copy of the same id as a duplicate (delivery is at least once).
 * `requestId` is absent when the agent ran the plugin on its own schedule (`interval`).
 */
export const ResultSchema = z
  .object({
    v: version,
    id: z.uuid(),
    requestId: z.uuid().optional(),
    node: nodeName,
    plugin: pluginName,
    ok: z.boolean(),
    /** Absent only when the plugin is unknown on the node. */
    format: ResultFormatSchema.optional(),
    /** The parsed output (ok results). */
    value: z.json().optional(),
    /** The unparsed output, for failures where it helps (invalid JSON, non-zero exit). */
    raw: z.string().optional(),
    error: z.string().optional(),
    /** The start of the command's standard error, when it wrote any. */
    stderr: z.string().optional(),
    startedAt: timestamp,
    finishedAt: timestamp,
    durationMs: z.number().int().nonnegative(),
    /** `null` when the process ended by a signal; absent when it never started. */
    exitCode: z.number().int().nullable().optional(),
    signal: z.string().optional(),
    /** The output reached the plugin's `max_output` and was cut there. */
    truncated: z.boolean().optional(),
  })
  .refine((result) => result.ok === (result.error === undefined), {
    error: 'an ok result has no error and a failed one has one',
    path: ['error'],
  });
export type Result = z.infer<typeof ResultSchema>;

/** A result the server will not store, and why (one line, never the result's content). */
export const RefusedResultSchema = z.object({
  resultId: z.uuid(),
  reason: z.string().max(500),
});
export type RefusedResult = z.infer<typeof RefusedResultSchema>;

/**
 * The server is done with these results (by result id or by request id); the agent forgets them.
 * `refused` says why some of them were not stored; their ids are in `resultIds` as well, so an
 * agent that predates `refused` forgets them too instead of sending them again forever.
 */
export const AckSchema = z
  .object({
    v: version,
    resultIds: z.array(z.uuid()).max(1000).default([]),
    requestIds: z.array(z.uuid()).max(1000).default([]),
    refused: z.array(RefusedResultSchema).max(1000).optional(),
  })
  .refine((ack) => ack.resultIds.length + ack.requestIds.length > 0, {
    error: 'must acknowledge at least one result id or request id',
  });
export type Ack = z.infer<typeof AckSchema>;

/**
 * One plugin as an agent advertises it. `interval` is in seconds. `commandAlias` is Vogeler's
 * `command_alias`, shown to people only (optional, so older agents' presence still validates).
 */
export const PluginInfoSchema = z.object({
  name: pluginName,
  description: z.string(),
  format: ResultFormatSchema,
  interval: z.number().positive().optional(),
  commandAlias: z.string().optional(),
});
export type PluginInfo = z.infer<typeof PluginInfoSchema>;

/** A plugin file (or section) the agent refused, and why. */
export const RejectedPluginSchema = z.object({ file: z.string(), reason: z.string() });
export type RejectedPlugin = z.infer<typeof RejectedPluginSchema>;

/**
 * An agent's presence, retained on `<prefix>/presence/<node>`. The agent registers an
 * `online: false` copy as its last will, so the broker reports a dropped connection by itself.
 */
export const PresenceSchema = z.object({
  v: version,
  node: nodeName,
  online: z.boolean(),
  agentVersion: z.string(),
  plugins: z.array(PluginInfoSchema),
  rejected: z.array(RejectedPluginSchema),
  at: timestamp,
});
export type Presence = z.infer<typeof PresenceSchema>;

/** What validating or decoding gives: the value, or one line that says what is wrong. */
export type Outcome<T> = { ok: true; value: T } | { ok: false; reason: string };

/** Validates `input` against `schema`; never throws. */
export function validate<S extends z.ZodType>(schema: S, input: unknown): Outcome<z.output<S>> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return { ok: true, value: parsed.data };
  return { ok: false, reason: describeIssues(parsed.error.issues) };
}

/** Turns zod issues into one line: `target: must be ...; expiresAt: must be later than issuedAt`. */
export function describeIssues(issues: readonly z.core.$ZodIssue[]): string {
  return issues
    .slice(0, 5)
    .map((issue) => {
      const path = issue.path.map(String).join('.');
      return path ? `${path}: ${issue.message}` : issue.message;
    })
    .join('; ');
}

/** Messages bigger than this are refused before they are parsed. */
export const DEFAULT_MAX_MESSAGE_BYTES = 16 * 1024 * 1024;

/** Parses a message body as JSON; never throws. */
export function decodeJson(
  payload: string | Uint8Array,
  maxBytes: number = DEFAULT_MAX_MESSAGE_BYTES,
): Outcome<unknown> {
  const size = typeof payload === 'string' ? Buffer.byteLength(payload) : payload.byteLength;
  if (size > maxBytes)
    return { ok: false, reason: `message is ${size} bytes, more than ${maxBytes}` };
  const text = typeof payload === 'string' ? payload : Buffer.from(payload).toString('utf8');
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (error) {
    return { ok: false, reason: `not JSON: ${(error as Error).message}` };
  }
}

/** Parses a message body and validates it against `schema`; never throws. */
export function decodeMessage<S extends z.ZodType>(
  schema: S,
  payload: string | Uint8Array,
  maxBytes?: number,
): Outcome<z.output<S>> {
  const json = decodeJson(payload, maxBytes);
  return json.ok ? validate(schema, json.value) : json;
}

export const decodeResult = (payload: string | Uint8Array): Outcome<Result> =>
  decodeMessage(ResultSchema, payload);
export const decodeAck = (payload: string | Uint8Array): Outcome<Ack> =>
  decodeMessage(AckSchema, payload);
export const decodePresence = (payload: string | Uint8Array): Outcome<Presence> =>
  decodeMessage(PresenceSchema, payload);

/** The wire form of any message. */
export function encodeMessage(message: Request | SignedRequest | Result | Ack | Presence): string {
  return JSON.stringify(message);
}

export interface CreateRequestInput {
  plugin: string;
  target: Target;
  /** How long the request stays valid; pending requests for offline nodes need a long one. */
  ttlMs?: number;
  now?: Date;
  id?: string;
}

/** One hour: long enough for a node to reconnect, short enough to bound replay memory. */
export const DEFAULT_REQUEST_TTL_MS = 60 * 60 * 1000;

/**
 * A new request with a fresh id, ready to be signed with `signRequest`.
 *
 * @example
 *   const signed = signRequest(createRequest({ plugin: 'facter', target: { all: true } }), key);
 */
export function createRequest(input: CreateRequestInput): Request {
  const now = input.now ?? new Date();
  return {
    v: PROTOCOL_VERSION,
    id: input.id ?? randomUUID(),
    plugin: input.plugin,
    target: input.target,
    issuedAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + (input.ttlMs ?? DEFAULT_REQUEST_TTL_MS)).toISOString(),
  };
}

/**
 * An acknowledgement of results by result id and/or by request id; refused results are added to
 * `resultIds` too (see {@link AckSchema}).
 */
export function createAck(ids: {
  resultIds?: string[];
  requestIds?: string[];
  refused?: RefusedResult[];
}): Ack {
  const ack: Ack = {
    v: PROTOCOL_VERSION,
    resultIds: ids.resultIds ?? [],
    requestIds: ids.requestIds ?? [],
  };
  if (ids.refused !== undefined && ids.refused.length > 0) {
    ack.refused = ids.refused;
    const known = new Set(ack.resultIds);
    ack.resultIds = [
      ...ack.resultIds,
      ...ids.refused.map((r) => r.resultId).filter((id) => !known.has(id)),
    ];
  }
  return ack;
}
