import { CsrfRejected } from '../errors.js';
import { sameSecret } from './secret-token.js';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The readable cookie that carries the CSRF token to the page's script. */
export const CSRF_COOKIE = 'minke_csrf';
/** The header the page sends it back in. */
export const CSRF_HEADER = 'x-csrf-token';

/**
 * Double submit: a write authenticated by the session cookie must carry the session's CSRF token
 * in `X-CSRF-Token`. Another site can make the browser send the cookie, but cannot read the token
 * to put in the header. Reads, and requests with a bearer token, need none.
 */
export function checkCsrf(
  method: string,
  expected: string,
  sent: string | string[] | undefined,
): void {
  if (SAFE_METHODS.has(method.toUpperCase())) return;
  if (typeof sent !== 'string' || sent === '') {
    throw new CsrfRejected(
      `missing ${CSRF_HEADER} header: send the ${CSRF_COOKIE} cookie's value in it`,
    );
  }
  if (!sameSecret(sent, expected)) throw new CsrfRejected(`wrong ${CSRF_HEADER} header`);
}
