import type { KeyObject } from 'node:crypto';
import { z } from 'zod';
import { decodeJson, RequestSchema, validate, type Request } from './messages.js';
import type { ReplayGuard } from './replay-guard.js';
import { verifyRequestSignature } from './signing.js';

export interface AcceptRequestOptions {
  /** This agent's node name: a request for another node is refused. */
  node: string;
  /** The server key(s) the agent was enrolled with. */
  publicKeys: KeyObject | readonly KeyObject[];
  /** Remembers admitted ids; the request is recorded in it when accepted. */
  guard: ReplayGuard;
  now?: number;
  /** How far ahead of this clock `issuedAt` may be. Default 5 minutes. */
  clockSkewMs?: number;
  /** The longest lifetime (`expiresAt - issuedAt`) accepted. Default 7 days. */
  maxTtlMs?: number;
  /** Bigger messages are refused unread. Default 64 KiB. */
  maxBytes?: number;
}

/** The request, or why it was dropped (and its id when it could be read, for the log). */
export type AcceptOutcome =
  { ok: true; request: Request } | { ok: false; reason: string; requestId?: string };

export const DEFAULT_CLOCK_SKEW_MS = 5 * 60 * 1000;
export const DEFAULT_MAX_REQUEST_TTL_MS = 7 * 24 * 60 * 60 * 1000;

const Envelope = z.object({
  request: z.record(z.string(), z.unknown(), { error: 'request must be an object' }),
  signature: z.string({ error: 'signature must be a string' }),
});

/**
 * Everything an agent checks before it runs anything, in order: size, JSON, envelope, signature
 * (over the request exactly as received), schema, target, time window, replay. Never throws.
 *
 * @example
 *   const outcome = acceptRequest(payload, { node: 'web1', publicKeys: [serverKey], guard });
 *   if (!outcome.ok) logger.warn({ reason: outcome.reason }, 'request dropped');
 */
export function acceptRequest(
  payload: string | Uint8Array,
  options: AcceptRequestOptions,
): AcceptOutcome {
  const json = decodeJson(payload, options.maxBytes ?? 64 * 1024);
  if (!json.ok) return json;
  const envelope = validate(Envelope, json.value);
  if (!envelope.ok) return { ok: false, reason: `not a signed request: ${envelope.reason}` };
  const raw = envelope.value.request;
  const requestId = typeof raw['id'] === 'string' ? raw['id'] : undefined;
  const refuse = (reason: string): AcceptOutcome =>
    requestId === undefined ? { ok: false, reason } : { ok: false, reason, requestId };

  if (!verifyRequestSignature(raw, envelope.value.signature, options.publicKeys)) {
    return refuse('bad signature: not signed by the server key this agent was enrolled with');
  }
  const parsed = validate(RequestSchema, raw);
  if (!parsed.ok) return refuse(`invalid request: ${parsed.reason}`);
  const request = parsed.value;
  if ('node' in request.target && request.target.node !== options.node) {
    return refuse(`addressed to node ${request.target.node}, not ${options.node}`);
  }
  const timeProblem = checkTimeWindow(request, options);
  if (timeProblem) return refuse(timeProblem);
  const admitted = options.guard.admit(request.id, Date.parse(request.expiresAt), options.now);
  if (!admitted.ok) return refuse(admitted.reason);
  return { ok: true, request };
}

function checkTimeWindow(request: Request, options: AcceptRequestOptions): string | undefined {
  const now = options.now ?? Date.now();
  const issuedAt = Date.parse(request.issuedAt);
  const expiresAt = Date.parse(request.expiresAt);
  if (expiresAt <= now) return `expired at ${request.expiresAt}`;
  if (issuedAt > now + (options.clockSkewMs ?? DEFAULT_CLOCK_SKEW_MS)) {
    return `issued in the future (${request.issuedAt}); are the clocks in sync?`;
  }
  const maxTtlMs = options.maxTtlMs ?? DEFAULT_MAX_REQUEST_TTL_MS;
  if (expiresAt - issuedAt > maxTtlMs) {
    return `lifetime ${Math.round((expiresAt - issuedAt) / 1000)} s is longer than the ${Math.round(maxTtlMs / 1000)} s this agent accepts`;
  }
  return undefined;
}
