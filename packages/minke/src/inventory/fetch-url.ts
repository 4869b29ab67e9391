import { InputError } from '../errors.js';

/**
 * Fetches a source's document over http(s): a failed connection, a status other than 2xx, a
 * reply over `maxBytes` or one slower than `timeoutMs` is an InputError that says which.
 */
export async function fetchUrl(
  url: string,
  limits: { timeoutMs: number; maxBytes: number },
): Promise<{ text: string; contentType: string }> {
  const signal = AbortSignal.timeout(limits.timeoutMs);
  let response: Response;
  try {
    response = await fetch(url, { signal, redirect: 'follow' });
  } catch (error) {
    throw new InputError(`${url}: ${unreachable(error, limits.timeoutMs)}`);
  }
  if (!response.ok) {
    await response.body?.cancel();
    throw new InputError(`${url}: the server answered ${response.status} ${response.statusText}`);
  }
  const declared = Number(response.headers.get('content-length') ?? '0');
  if (declared > limits.maxBytes) {
    await response.body?.cancel();
    throw new InputError(`${url}: ${declared} bytes, more than the ${limits.maxBytes} allowed`);
  }
  try {
    const text = await readCapped(response, limits.maxBytes, url);
    return { text, contentType: response.headers.get('content-type') ?? '' };
  } catch (error) {
    if (error instanceof InputError) throw error;
    throw new InputError(`${url}: ${unreachable(error, limits.timeoutMs)}`);
  }
}

/** Reads the body, stopping at `maxBytes` (a server may send more than it declared). */
async function readCapped(response: Response, maxBytes: number, url: string): Promise<string> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of response.body ?? []) {
    const bytes = chunk as Uint8Array;
    size += bytes.byteLength;
    if (size > maxBytes) throw new InputError(`${url}: more than the ${maxBytes} bytes allowed`);
    chunks.push(bytes);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function unreachable(error: unknown, timeoutMs: number): string {
  const err = error as Error & { cause?: { code?: string; message?: string } };
  if (err.name === 'TimeoutError' || err.name === 'AbortError')
    return `no answer within ${timeoutMs / 1000} s`;
  const cause = err.cause;
  if (cause?.code)
    return `cannot be reached (${cause.code}${cause.message ? `: ${cause.message}` : ''})`;
  return `cannot be reached (${err.message})`;
}
