import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { openExecChannel } from './exec-channel.js';
import type { SshClient } from './ssh-client.js';

/** A client whose command exits in the same read as the exec confirmation, as fast ones do. */
function instantExitClient(code: number, signal?: string): SshClient {
  return {
    exec(
      _command: string,
      _options: unknown,
      callback: (error: Error | undefined, channel: EventEmitter) => void,
    ) {
      const channel = new EventEmitter();
      callback(undefined, channel);
      // ssh2 emits 'exit' while it still parses the same socket read: before any awaiting code runs.
      channel.emit('exit', code, signal);
      return true;
    },
  } as unknown as SshClient;
}

describe('openExecChannel', () => {
  it('keeps the exit status of a command that ends before the caller resumes', async () => {
    const opened = await openExecChannel(instantExitClient(0), 'true', false, 'test');
    expect(opened.exit()).toEqual({ code: 0 });
    const killed = await openExecChannel(instantExitClient(0, 'SIGTERM'), 'sleep 1', false, 'test');
    expect(killed.exit()).toEqual({ code: 0, signal: 'TERM' });
  });
});
