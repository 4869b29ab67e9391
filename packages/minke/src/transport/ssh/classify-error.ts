import { TransportError, type TransportFailure } from '../transport-error.js';

interface Ssh2Error {
  code?: unknown;
  level?: unknown;
  message?: unknown;
}

const byCode: Record<string, TransportFailure> = {
  ECONNREFUSED: 'connection_refused',
  ENOTFOUND: 'host_not_found',
  EAI_AGAIN: 'host_not_found',
  EAI_NONAME: 'host_not_found',
  EHOSTUNREACH: 'host_unreachable',
  ENETUNREACH: 'host_unreachable',
  EHOSTDOWN: 'host_unreachable',
  ETIMEDOUT: 'timeout',
  ECONNRESET: 'disconnected',
  EPIPE: 'disconnected',
};

/**
 * Turns what ssh2 or the socket reported into a `TransportError` with a clear reason. Messages of
 * unknown errors are kept as detail (they name algorithms or protocol steps, never secrets).
 */
export function classifySshError(
  error: unknown,
  target: string,
  authDetail?: string,
): TransportError {
  if (error instanceof TransportError) return error;
  const { code, level, message } = (
    typeof error === 'object' && error !== null ? error : {}
  ) as Ssh2Error;
  const text = typeof message === 'string' ? message : String(error);
  if (typeof code === 'string' && byCode[code])
    return new TransportError(byCode[code], target, undefined, error);
  if (level === 'client-timeout') return new TransportError('timeout', target, undefined, error);
  if (level === 'client-authentication')
    return new TransportError('auth_failed', target, authDetail, error);
  if (level === 'client-dns') return new TransportError('host_not_found', target, undefined, error);
  if (/connection refused/i.test(text))
    return new TransportError('connection_refused', target, undefined, error);
  if (/no route to host|unreachable/i.test(text))
    return new TransportError('host_unreachable', target, undefined, error);
  if (/name or service not known|not resolve|unknown host/i.test(text)) {
    return new TransportError('host_not_found', target, undefined, error);
  }
  return new TransportError('disconnected', target, text, error);
}
