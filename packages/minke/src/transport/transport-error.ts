import { MinkeError } from '../errors.js';

/** Why a connection or a channel failed; stable codes for code, the message is for people. */
export type TransportFailure =
  | 'connection_refused'
  | 'host_unreachable'
  | 'host_not_found'
  | 'timeout'
  | 'auth_failed'
  | 'host_key_mismatch'
  | 'host_key_unknown'
  | 'channel_failed'
  | 'disconnected'
  | 'config'
  | 'no_such_file'
  | 'permission_denied'
  | 'transfer_failed'
  | 'transfer_timeout';

const reasonText: Record<TransportFailure, string> = {
  connection_refused: 'connection refused',
  host_unreachable: 'host unreachable',
  host_not_found: 'host not found',
  timeout: 'connection timed out',
  auth_failed: 'authentication failed',
  host_key_mismatch: 'host key mismatch',
  host_key_unknown: 'host key unknown',
  channel_failed: 'channel failed',
  disconnected: 'disconnected',
  config: 'invalid connection config',
  no_such_file: 'no such file or directory',
  permission_denied: 'permission denied',
  transfer_failed: 'file transfer failed',
  transfer_timeout: 'file transfer timed out',
};

/**
 * A host could not be reached, refused us, or dropped the connection. It is an expected outcome
 * (a session ends `failed` with this message), so the message is one readable line and never
 * carries a secret. It serializes as `unavailable` with the reason in `fields.reason`, so it
 * survives the trip from a worker to the server.
 *
 * @example
 *   new TransportError('auth_failed', 'root@web1:22', 'tried agent, key ~/.ssh/id_ed25519')
 *   // message: "root@web1:22: authentication failed (tried agent, key ~/.ssh/id_ed25519)"
 */
export class TransportError extends MinkeError {
  readonly code = 'unavailable' as const;
  readonly reason: TransportFailure;
  readonly target: string;

  constructor(reason: TransportFailure, target: string, detail?: string, cause?: unknown) {
    const text = reasonText[reason] + (detail ? ` (${detail})` : '');
    super(target ? `${target}: ${text}` : text, {
      fields: { reason, target },
      ...(cause === undefined ? {} : { cause }),
    });
    this.reason = reason;
    this.target = target;
  }
}

const reasonPattern = Object.values(reasonText)
  .map((text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
  .join('|');
/** `<target>: <reason>` at the start of a message, as `TransportError` writes it. */
const targetPrefix = new RegExp(`^[^\\s:]+(?::[^\\s:]+)*: (?=(?:${reasonPattern})(?: \\(|$|\\n))`);

/**
 * A transport error's text with the host it names (`root@[10.0.0.5]:2222: connection refused`)
 * replaced, for people who may not see hosts.
 *
 * @example
 *   hideTransportTarget('root@web1: host key unknown (…)', '(hidden host)')
 *   // => '(hidden host): host key unknown (…)'
 */
export function hideTransportTarget(text: string, replacement: string): string {
  return text.replace(targetPrefix, `${replacement}: `);
}

export function isTransportError(value: unknown): value is TransportError {
  return value instanceof TransportError;
}
