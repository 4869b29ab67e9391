import { TransportError } from '../transport-error.js';
import type { SshChannel, SshClient } from './ssh-client.js';

/** Terminal size and type for `pty: true`; wide, so that tools do not wrap their output. */
const ptyOptions = { term: 'xterm', cols: 200, rows: 50 };

/** Opens an exec channel; a refusal (e.g. the server's MaxSessions reached) is `channel_failed`. */
export function openExecChannel(
  client: SshClient,
  wire: string,
  pty: boolean,
  target: string,
): Promise<SshChannel> {
  return new Promise((resolve, reject) => {
    try {
      client.exec(wire, pty ? { pty: ptyOptions } : {}, (error, channel) => {
        if (error) reject(channelError(error, target));
        else resolve(channel);
      });
    } catch (error) {
      // ssh2 throws synchronously when the connection is already gone.
      reject(new TransportError('disconnected', target, 'connection is closed', error));
    }
  });
}

function channelError(error: Error, target: string): TransportError {
  if (/no response from server|not connected/i.test(error.message)) {
    return new TransportError(
      'disconnected',
      target,
      'connection lost while opening a channel',
      error,
    );
  }
  return new TransportError('channel_failed', target, error.message, error);
}
