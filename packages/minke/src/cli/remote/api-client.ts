import type { RemoteTarget } from './remote-target.js';

/** A request the server answered with an error (status and its JSON error, when it sent one). */
export class RemoteError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code: string | undefined,
    /** The fields at fault, as the server named them (`port`, an import's `line 3`). */
    readonly fields: Readonly<Record<string, string>> = {},
  ) {
    super(message);
    this.name = 'RemoteError';
  }
}

/** Why a connection failed, in words (Node's fetch hides it in `cause`). */
const NETWORK_REASONS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ENOTFOUND: 'no such host',
  EAI_AGAIN: 'the name could not be resolved',
  ETIMEDOUT: 'the connection timed out',
  ECONNRESET: 'the connection was reset',
  EHOSTUNREACH: 'the host is unreachable',
  ENETUNREACH: 'the network is unreachable',
  UND_ERR_CONNECT_TIMEOUT: 'the connection timed out',
  UND_ERR_SOCKET: 'the connection was closed',
};

const REQUEST_TIMEOUT_MS = 30_000;

/**
 * The REST API as the CLI uses it: JSON requests with the bearer token, and answers turned into
 * errors a user can act on (server unreachable, token refused, the server's own message).
 */
export class ApiClient {
  constructor(private readonly target: RemoteTarget) {}

  get url(): string {
    return this.target.url;
  }

  async get<T>(path: string, query: Record<string, string | number | undefined> = {}): Promise<T> {
    return this.json<T>('GET', withQuery(path, query));
  }

  /** POST; `timeoutMs` for a request that does long work before it answers (an import). */
  async post<T>(path: string, body?: unknown, timeoutMs = REQUEST_TIMEOUT_MS): Promise<T> {
    return this.json<T>('POST', path, body, timeoutMs);
  }

  async put<T>(path: string, body?: unknown): Promise<T> {
    return this.json<T>('PUT', path, body);
  }

  async patch<T>(path: string, body?: unknown): Promise<T> {
    return this.json<T>('PATCH', path, body);
  }

  /** DELETE; some routes answer with what they removed (`T`), most with nothing. */
  async delete<T = undefined>(
    path: string,
    query: Record<string, string | number | undefined> = {},
  ): Promise<T> {
    return this.json<T>('DELETE', withQuery(path, query));
  }

  /** A response whose body the caller reads itself (the event stream, a download); errors
   * thrown as above. */
  async open(path: string, signal: AbortSignal, accept = 'text/event-stream'): Promise<Response> {
    const response = await this.send(path, {
      headers: { ...this.headers(), accept },
      signal,
    });
    if (!response.ok) throw await this.errorOf(response);
    return response;
  }

  private async json<T>(
    method: string,
    path: string,
    body?: unknown,
    timeoutMs = REQUEST_TIMEOUT_MS,
  ): Promise<T> {
    const response = await this.send(
      path,
      {
        method,
        headers: {
          ...this.headers(),
          accept: 'application/json',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(timeoutMs),
      },
      timeoutMs,
    );
    if (!response.ok) throw await this.errorOf(response);
    if (response.status === 204) return undefined as T;
    return (await response.json()) as T;
  }

  private headers(): Record<string, string> {
    return { authorization: `Bearer ${this.target.token}` };
  }

  private async send(
    path: string,
    init: RequestInit,
    timeoutMs = REQUEST_TIMEOUT_MS,
  ): Promise<Response> {
    try {
      return await fetch(`${this.target.url}${path}`, init);
    } catch (error) {
      throw new RemoteError(
        `cannot reach the Minke server at ${this.target.url}: ${networkReason(error, timeoutMs)}`,
        0,
        'unreachable',
      );
    }
  }

  private async errorOf(response: Response): Promise<RemoteError> {
    const body = await response.text().catch(() => '');
    let code: string | undefined;
    let message: string | undefined;
    let fields: Record<string, string> | undefined;
    try {
      const parsed = JSON.parse(body) as {
        error?: { code?: string; message?: string; fields?: Record<string, string> };
      };
      code = parsed.error?.code;
      message = parsed.error?.message;
      fields = parsed.error?.fields;
    } catch {
      // Not Minke's JSON (a proxy's page): the status says enough.
    }
    if (response.status === 401)
      return new RemoteError(
        `the token was refused by ${this.target.url} (check MINKE_TOKEN or --token-file)`,
        401,
        code,
      );
    return new RemoteError(
      message ??
        `the server at ${this.target.url} answered ${response.status} ${response.statusText}`,
      response.status,
      code,
      fields,
    );
  }
}

/** `path?key=value…`, leaving out what is undefined. */
export function withQuery(
  path: string,
  query: Record<string, string | number | undefined>,
): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined) params.set(key, String(value));
  }
  const text = params.toString();
  return text === '' ? path : `${path}?${text}`;
}

function networkReason(error: unknown, timeoutMs: number): string {
  if (error instanceof DOMException && error.name === 'TimeoutError')
    return `no answer within ${timeoutMs / 1000} s`;
  const cause = (error as { cause?: unknown }).cause as
    { code?: string; message?: string; errors?: { code?: string }[] } | undefined;
  const code = cause?.code ?? cause?.errors?.[0]?.code;
  if (code !== undefined) return NETWORK_REASONS[code] ?? code;
  return cause?.message ?? (error instanceof Error ? error.message : String(error));
}
