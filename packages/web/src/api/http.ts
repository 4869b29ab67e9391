import type { ApiErrorBody } from '@minke/contract';
import { pageWording } from './page-wording.js';

/** An error reply of the API: its HTTP status, the contract's code and per-field reasons. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly fields: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export const CSRF_COOKIE = 'minke_csrf';
export const CSRF_HEADER = 'X-CSRF-Token';

/** The value of a cookie, or undefined. */
export function readCookie(name: string, cookies: string): string | undefined {
  for (const part of cookies.split(';')) {
    const at = part.indexOf('=');
    if (at < 0) continue;
    if (part.slice(0, at).trim() === name) return decodeURIComponent(part.slice(at + 1).trim());
  }
  return undefined;
}

export type Query = Record<string, string | number | boolean | undefined | null>;

/** `path?k=v&…`, leaving out empty values. */
export function withQuery(path: string, query: Query = {}): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null || value === '') continue;
    params.set(key, String(value));
  }
  const text = params.toString();
  return text ? `${path}${path.includes('?') ? '&' : '?'}${text}` : path;
}

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  query?: Query;
  /** JSON-encoded unless it is a string (sent as text/plain). */
  body?: unknown;
  signal?: AbortSignal;
}

const writes = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Calls the API with the session cookie; writes carry the CSRF header copied from the readable
 * `minke_csrf` cookie (double-submit). Error replies become an `ApiError`.
 */
export async function api<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const method = options.method ?? 'GET';
  const headers: Record<string, string> = { Accept: 'application/json' };
  let body: string | undefined;
  if (options.body !== undefined) {
    if (typeof options.body === 'string') {
      headers['Content-Type'] = 'text/plain';
      body = options.body;
    } else {
      headers['Content-Type'] = 'application/json';
      body = JSON.stringify(options.body);
    }
  }
  if (writes.has(method)) {
    const token = readCookie(CSRF_COOKIE, document.cookie);
    if (token) headers[CSRF_HEADER] = token;
  }
  const response = await fetch(withQuery(path, options.query), {
    method,
    headers,
    body,
    credentials: 'same-origin',
    signal: options.signal,
  });
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  const json = parseJson(text);
  if (!response.ok) throw toApiError(response.status, json, text);
  return json as T;
}

function parseJson(text: string): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** Builds the `ApiError` for an error reply, whatever its body. */
export function toApiError(status: number, json: unknown, text = ''): ApiError {
  const error = (json as Partial<ApiErrorBody> | undefined)?.error;
  if (error && typeof error.message === 'string')
    return new ApiError(status, error.code, pageWording(error.message), error.fields ?? {});
  const message = text.trim().slice(0, 200) || `HTTP ${status}`;
  return new ApiError(status, status === 401 ? 'unauthenticated' : 'http', message);
}
