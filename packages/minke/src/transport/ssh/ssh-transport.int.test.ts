import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type SshdServer,
  sshdConnection,
  sshdUnavailableReason,
  startSshd,
} from '../../../test-support/sshd.js';
import { commandStatus } from '../transport.js';
import { SshTransport } from './ssh-transport.js';

const unavailable = sshdUnavailableReason();

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

  it('runs a command and reports stdout, stderr, exit code and timing', async () => {
    const result = await ssh.exec('echo out; echo err >&2');
    expect(result).toMatchObject({
      command: 'echo out; echo err >&2',
      stdout: 'out\n',
      stderr: 'err\n',
      exitCode: 0,
    });
    expect(result).toMatchObject({ pty: false, killed: false, timedOut: false });
    expect(result.finishedAt.getTime()).toBeGreaterThanOrEqual(result.startedAt.getTime());
    expect(ssh.connected).toBe(true);
  });

  it('keeps unicode intact', async () => {
    const result = await ssh.exec("printf 'foobär\\n'; printf '日本語 🚀' >&2");
    expect(result.stdout).toBe('foobär\n');
    expect(result.stderr).toBe('日本語 🚀');
  });

  it('reports a failing command as error with its exit code', async () => {
    const result = await ssh.exec('exit 3');
    expect(result.exitCode).toBe(3);
    expect(commandStatus(result)).toBe('error');
  });

  it('gives warning when only stderr was written', async () => {
    const result = await ssh.exec('echo careful >&2');
    expect(result.exitCode).toBe(0);
    expect(commandStatus(result)).toBe('warning');
    expect(commandStatus(await ssh.exec('true'))).toBe('success');
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

  it('gives commands EOF on stdin instead of letting them wait', async () => {
    const result = await ssh.exec('cat; echo done', { timeoutMs: 5_000 });
    expect(result).toMatchObject({ stdout: 'done\n', timedOut: false });
  });

  it('streams output chunks as they arrive, without the internal markers', async () => {
    const chunks: string[] = [];
    const result = await ssh.exec('echo one; sleep 0.2; echo two >&2', {
      onOutput: (stream, chunk) => chunks.push(`${stream}:${chunk}`),
    });
    expect(chunks.join('')).toBe('stdout:one\nstderr:two\n');
    expect(result.stderr).toBe('two\n');
  });

  it('times a command out and kills it', async () => {
    const result = await ssh.exec('sleep 30', { timeoutMs: 300 });
    // a `sleep 30` left running would hit the test's time-out
    expect(result).toMatchObject({ timedOut: true, killed: false, exitCode: null });
    expect(commandStatus(result)).toBe('error');
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
      await waitFor(() => !transport.connected);
      const second = await transport.exec('echo $SSH_CONNECTION');
      expect(second.exitCode).toBe(0);
      expect(second.stdout.split(' ')[1]).not.toBe(first.stdout.split(' ')[1]);
    } finally {
      await transport.close();
    }
  });
});

async function waitFor(condition: () => boolean, tries = 100): Promise<void> {
  for (let i = 0; i < tries && !condition(); i++)
    await new Promise((resolve) => setTimeout(resolve, 50));
  expect(condition()).toBe(true);
}
