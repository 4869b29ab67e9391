import { TransportError } from '../transport-error.js';
import type { SshChannel, SshClient } from './ssh-client.js';

/** Terminal size and type for `pty: true`; wide, so that tools do not wrap their output. */
const ptyOptions = { term: 'xterm', cols: 200, rows: 50 };

export interface ChannelExit {
  code: number | null;
  signal?: string;
}

export interface OpenedChannel {
  channel: SshChannel;
  /** The command's exit status or signal, once the server sent it. */
  exit: () => ChannelExit | undefined;
}

/** Opens an exec channel; a refusal (e.g. the server's MaxSessions reached) is `channel_failed`. */
export function openExecChannel(
  client: SshClient,
  wire: string,
  pty: boolean,
  target: string,
): Promise<OpenedChannel> {
  return new Promise((resolve, reject) => {
    try {
      client.exec(wire, pty ? { pty: ptyOptions } : {}, (error, channel) => {
        if (error) return reject(channelError(error, target));
        // ssh2 emits 'exit' while it parses one read from the socket: a fast command's exit
        // status can arrive in the same read as the exec confirmation, before code awaiting this
        // promise runs. Listen now, in the callback, or the status is lost.
        let exit: ChannelExit | undefined;
        channel.on('exit', (code: number | null, signal?: string) => {
          exit = signal ? { code, signal: signal.replace(/^SIG/, '') } : { code };
        });
        resolve({ channel, exit: () => exit });
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
