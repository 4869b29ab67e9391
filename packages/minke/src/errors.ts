/**
 * One hierarchy for every error Minke reports to a user. Each class maps to an HTTP status in one
 * place (`httpStatusOf`) and serializes to plain JSON, so a worker or an agent can hand it on.
 *
 * @example
 *   throw new InputError('port must be a whole number', { fields: { port: 'not a whole number' } });
 */
/** Each error code with the HTTP status it answers with: the one list of codes. */
const httpStatus = {
  input: 400,
  not_found: 404,
  permission_denied: 403,
  setup: 500,
  session: 422,
  conflict: 409,
  unavailable: 503,
  unauthenticated: 401,
  csrf: 403,
  rate_limited: 429,
} as const;

export type MinkeErrorCode = keyof typeof httpStatus;

export interface SerializedError {
  code: MinkeErrorCode;
  message: string;
  fields?: Record<string, string>;
  /** A `SessionError`'s messages, each kept whole (one may hold several lines). */
  messages?: string[];
}

const errorCodes: ReadonlySet<string> = new Set(Object.keys(httpStatus));

/**
 * Marks Minke errors by a registry symbol, not by class identity: an error thrown by a second
 * copy of this module (a project's own `minke`, an older build) is still recognised.
 */
const minkeErrorBrand = Symbol.for('minke.error');

export interface MinkeErrorOptions {
  fields?: Record<string, string>;
  cause?: unknown;
}

export abstract class MinkeError extends Error {
  abstract readonly code: MinkeErrorCode;
  readonly fields: Record<string, string> | undefined;
  readonly [minkeErrorBrand] = true;

  constructor(message: string, options?: MinkeErrorOptions) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.fields = options?.fields;
  }

  toJSON(): SerializedError {
    return this.fields
      ? { code: this.code, message: this.message, fields: this.fields }
      : { code: this.code, message: this.message };
  }
}

/** The base of the errors with one code: each class below names its code once. */
function withCode<const Code extends MinkeErrorCode>(code: Code) {
  return class extends MinkeError {
    readonly code = code;
  };
}

/** Bad input from a user: a form field, a flag, a filter, a config value. */
export class InputError extends withCode('input') {}

export class NotFoundError extends withCode('not_found') {}

export class PermissionDenied extends withCode('permission_denied') {}

/** The project itself is wrong (a model, a session, the configuration): start-up stops. */
export class SetupError extends withCode('setup') {}

/** Thrown by session code to end the session in error with these messages. */
export class SessionError extends withCode('session') {
  readonly messages: string[];
  constructor(...messages: string[]) {
    super(messages.join('\n') || 'Session error');
    this.messages = messages;
  }

  override toJSON(): SerializedError {
    return { ...super.toJSON(), messages: [...this.messages] };
  }
}

/** The request collides with existing data (a duplicate name, a leased host). */
export class ConflictError extends withCode('conflict') {}

/** A service Minke needs (database, broker) cannot be reached. */
export class UnavailableError extends withCode('unavailable') {}

/*
 * The edge's own refusals: no credentials, a missing CSRF token, too many logins. Only the HTTP
 * layer throws them; they are Minke errors so that one map gives every error its status.
 */

/** No valid session cookie or token: log in, or send `Authorization: Bearer TOKEN`. */
export class NotAuthenticated extends withCode('unauthenticated') {}

/** A cookie-authenticated write without the right `X-CSRF-Token` header. */
export class CsrfRejected extends withCode('csrf') {}

/** Too many login attempts; `retryAfterSeconds` says when to try again. */
export class RateLimited extends withCode('rate_limited') {
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(message);
  }
}

export function httpStatusOf(error: MinkeError): number {
  return httpStatus[error.code];
}

/** True for any Minke error, whichever copy of Minke threw it (see `minkeErrorBrand`). */
export function isMinkeError(value: unknown): value is MinkeError {
  if (value instanceof MinkeError) return true;
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as { [minkeErrorBrand]?: unknown; code?: unknown; message?: unknown };
  return (
    candidate[minkeErrorBrand] === true &&
    typeof candidate.code === 'string' &&
    errorCodes.has(candidate.code) &&
    typeof candidate.message === 'string'
  );
}

/** True for a `SessionError` from any copy of Minke: session code ends in error with messages. */
export function isSessionError(value: unknown): value is SessionError {
  return isMinkeError(value) && value.code === 'session';
}

/** A session error's messages: its own list, or its message when a copy lacks the list. */
export function sessionErrorMessages(error: SessionError): string[] {
  const { messages } = error as { messages?: unknown };
  return Array.isArray(messages) && messages.every((m) => typeof m === 'string')
    ? messages
    : [error.message];
}

/** The classes whose constructor takes a message and fields: all but two. */
const errorClassOf = {
  input: InputError,
  not_found: NotFoundError,
  permission_denied: PermissionDenied,
  setup: SetupError,
  conflict: ConflictError,
  unavailable: UnavailableError,
  unauthenticated: NotAuthenticated,
  csrf: CsrfRejected,
} satisfies Record<
  Exclude<MinkeErrorCode, 'session' | 'rate_limited'>,
  new (message: string, options?: MinkeErrorOptions) => MinkeError
>;

/** Rebuilds an error that crossed a process boundary. */
export function deserializeError(data: SerializedError): MinkeError {
  if (data.code === 'session')
    return new SessionError(...(data.messages ?? data.message.split('\n')));
  if (data.code === 'rate_limited') return new RateLimited(data.message, 0);
  return new errorClassOf[data.code](
    data.message,
    data.fields ? { fields: data.fields } : undefined,
  );
}
