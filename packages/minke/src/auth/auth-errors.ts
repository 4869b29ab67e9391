/**
 * Refusals that belong to the HTTP edge rather than to operations: no credentials, a missing CSRF
 * token, too many logins. The API's error handler maps them to 401, 403 and 429 next to
 * `httpStatusOf` for `MinkeError`, in the one place where errors become responses.
 */
export type AuthErrorCode = 'unauthenticated' | 'csrf' | 'rate_limited';

export abstract class AuthError extends Error {
  abstract readonly code: AuthErrorCode;

  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }

  toJSON(): { code: AuthErrorCode; message: string } {
    return { code: this.code, message: this.message };
  }
}

/** No valid session cookie or token: log in, or send `Authorization: Bearer TOKEN`. */
export class NotAuthenticated extends AuthError {
  readonly code = 'unauthenticated' as const;
}

/** A cookie-authenticated write without the right `X-CSRF-Token` header. */
export class CsrfRejected extends AuthError {
  readonly code = 'csrf' as const;
}

/** Too many login attempts; `retryAfterSeconds` says when to try again. */
export class RateLimited extends AuthError {
  readonly code = 'rate_limited' as const;

  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(message);
  }
}
