import { createHmac } from 'node:crypto';

/** The signature header: `sha256=` and the hex HMAC-SHA256 of the raw body with the secret. */
export const SIGNATURE_HEADER = 'X-Minke-Signature';

export function signatureOf(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body, 'utf8').digest('hex')}`;
}

/**
 * POSTs JSON to a URL; any answer but 2xx, a refused connection or no answer within `timeoutMs`
 * throws (the delivery is retried). The signature is sent when the channel has a secret.
 */
export async function postJson(
  url: string,
  body: string,
  headers: Record<string, string>,
  timeoutMs = 10_000,
): Promise<void> {
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'user-agent': 'minke-notifications',
      ...headers,
    },
    body,
    redirect: 'error',
    signal: AbortSignal.timeout(timeoutMs),
  });
  // The receiver's answer is not kept (it may echo what it got): only its status.
  await response.body?.cancel();
  if (!response.ok) throw new Error(`HTTP ${response.status} ${response.statusText}`.trim());
}
