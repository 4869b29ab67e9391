import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitUntil } from '../../../test-support/wait-until.js';
import {
  type SshdServer,
  sshdConnection,
  sshdUnavailableReason,
  startSshd,
} from '../../../test-support/sshd.js';
import { SshTransport } from './ssh-transport.js';

const unavailable = sshdUnavailableReason();

/**
 * What only the SSH transport does (config defaults, pty, its wrapper's markers, reconnecting);
 * what every transport does is in `../transport.conformance.int.test.ts`.
 */
describe.skipIf(unavailable !== undefined)('SshTransport against OpenSSH sshd', () => {
  let sshd: SshdServer;
  let ssh: SshTransport;
  beforeAll(async () => {
    sshd = await startSshd();
    ssh = new SshTransport(sshdConnection(sshd));
    await ssh.connect();
  });
  afterAll(async () => {
    await ssh?.close();
    await sshd?.stop();
  });

  it('exports environment variables, also from the connection config', async () => {
    const withDefaults = new SshTransport(
      sshdConnection(sshd, { env: { FROM_CONFIG: 'cfg', BOTH: 'cfg' } }),
    );
    try {
      const result = await withDefaults.exec('printf "%s|%s|%s" "$FROM_CONFIG" "$BOTH" "$ODD"', {
        env: { BOTH: 'exec', ODD: "it's $(not run) `either`" },
      });
      expect(result.stdout).toBe("cfg|exec|it's $(not run) `either`");
    } finally {
      await withDefaults.close();
    }
  });

  it('allocates a pty only on request', async () => {
    const without = await ssh.exec('tty');
    expect(without.exitCode).not.toBe(0);
    const withPty = await ssh.exec('tty; echo err >&2', { pty: true });
    expect(withPty.exitCode).toBe(0);
    expect(withPty.pty).toBe(true);
    expect(withPty.stdout).toMatch(/^\/dev\/pts\/\d+\r\nerr\r\n$/);
  });

  it('streams output chunks as they arrive, without the internal markers', async () => {
    const chunks: string[] = [];
    const result = await ssh.exec('echo one; sleep 0.2; echo two >&2', {
      onOutput: (stream, chunk) => chunks.push(`${stream}:${chunk}`),
    });
    expect(chunks.join('')).toBe('stdout:one\nstderr:two\n');
    expect(result.stderr).toBe('two\n');
  });

  it('uses the connection default command timeout', async () => {
    const limited = new SshTransport(sshdConnection(sshd, { commandTimeoutMs: 300 }));
    try {
      expect((await limited.exec('sleep 30')).timedOut).toBe(true);
    } finally {
      await limited.close();
    }
  });

  it('fails a command whose connection drops, and reconnects for the next one', async () => {
    const transport = new SshTransport(sshdConnection(sshd));
    try {
      const first = await transport.exec('echo $SSH_CONNECTION');
      // $PPID is the sshd process serving this connection: killing it drops the connection.
      await expect(transport.exec('kill -9 $PPID; sleep 5')).rejects.toMatchObject({
        reason: 'disconnected',
      });
      await waitUntil(() => !transport.connected, 100);
      const second = await transport.exec('echo $SSH_CONNECTION');
      expect(second.exitCode).toBe(0);
      expect(second.stdout.split(' ')[1]).not.toBe(first.stdout.split(' ')[1]);
    } finally {
      await transport.close();
    }
  });
});
