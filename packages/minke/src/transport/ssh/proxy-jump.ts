import type { Duplex } from 'node:stream';
import { TransportError } from '../transport-error.js';
import type { SshClient } from './ssh-client.js';

/**
 * Opens a TCP stream to the target from the jump host (a `direct-tcpip` channel, what OpenSSH's
 * ProxyJump does); the target's SSH connection then runs through it. The jump host resolves the
 * target's name, so names that only exist behind it work.
 */
export function forwardThroughJump(
  jump: SshClient,
  hostname: string,
  port: number,
  target: string,
): Promise<Duplex> {
  return new Promise((resolve, reject) => {
    try {
      jump.forwardOut('127.0.0.1', 0, hostname, port, (error, stream) => {
        if (error) reject(jumpError(error, target));
        else resolve(stream);
      });
    } catch (error) {
      reject(new TransportError('disconnected', target, 'jump host connection is closed', error));
    }
  });
}

/** The jump host reports the failure of its own connect in words; keep the reason codes. */
function jumpError(error: Error, target: string): TransportError {
  const text = error.message;
  if (/refused/i.test(text))
    return new TransportError('connection_refused', target, 'via jump host', error);
  if (/unreachable|no route/i.test(text))
    return new TransportError('host_unreachable', target, 'via jump host', error);
  if (/not known|resolve|lookup/i.test(text))
    return new TransportError('host_not_found', target, 'via jump host', error);
  if (/timed out/i.test(text)) return new TransportError('timeout', target, 'via jump host', error);
  return new TransportError('channel_failed', target, `jump host: ${text}`, error);
}
