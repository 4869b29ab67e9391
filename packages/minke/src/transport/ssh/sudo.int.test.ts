import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type SshdServer,
  sshdConnection,
  sshdUnavailableReason,
  startSshd,
} from '../../../test-support/sshd.js';
import { passwordTestUser, sudoUnavailableReason } from '../../../test-support/sudo-user.js';
import { SshTransport } from './ssh-transport.js';

/**
 * sudo with a password prompt needs a non-root user with a password and sudo rights (root is
 * never asked). The test creates no users; see test-support/sudo-user.ts for what CI provides.
 */
const unavailable = sshdUnavailableReason() ?? sudoUnavailableReason();
if (unavailable) process.stderr.write(`sudo tests skipped: ${unavailable}\n`);

describe.skipIf(unavailable !== undefined)('sudo with a password prompt over SSH', () => {
  const account = passwordTestUser();
  let sshd: SshdServer;
  let ssh: SshTransport;
  let root: SshTransport;
  let password = '';
  beforeAll(async () => {
    if (typeof account === 'string') throw new Error(account);
    password = account.password;
    sshd = await startSshd();
    ssh = new SshTransport(sshdConnection(sshd, { user: account.user }));
    root = new SshTransport(sshdConnection(sshd));
  });
  afterAll(async () => {
    await ssh?.close();
    await root?.close();
    await sshd?.stop();
  });

  it('answers the prompt without a pty and keeps it out of the output', async () => {
    const result = await ssh.exec('id -un; printf %s "$KEPT"', {
      sudo: { password },
      env: { KEPT: 'yes' },
    });
    expect(result).toMatchObject({ exitCode: 0, stdout: 'root\nyes', stderr: '' });
    expect(result.stdout + result.stderr).not.toContain(password);
  });

  it('answers the prompt with a pty', async () => {
    const result = await ssh.exec('id -un', { sudo: { password }, pty: true });
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain('root');
    expect(result.stdout).not.toContain('minke-sudo');
    expect(result.stdout).not.toContain(password);
  });

  it('runs as another user with -u', async () => {
    const result = await ssh.exec('id -un', { sudo: { password, user: 'nobody' } });
    expect(result.stdout).toBe('nobody\n');
  });

  it('fails at once with a wrong password, trying it only once', async () => {
    const result = await ssh.exec('id -un', {
      sudo: { password: `${password}-wrong` },
      timeoutMs: 20_000,
    });
    expect(result.exitCode).not.toBe(0);
    expect(result.timedOut).toBe(false);
    expect(result.stdout).toBe('');
  });

  it('never shows the password in the host process list', async () => {
    const marker = `minke-sudo-ps-${randomBytes(6).toString('hex')}`;
    const running = ssh.exec(`sleep 2 # ${marker}`, { sudo: { password } });
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const ps = await root.exec('ps -eo args=');
    expect(ps.stdout).toContain(marker);
    expect(ps.stdout).not.toContain(password);
    expect((await running).exitCode).toBe(0);
  });

  it('kills a sudo command and everything it started', async () => {
    const marker = `minke-sudo-kill-${randomBytes(6).toString('hex')}`;
    const controller = new AbortController();
    const running = ssh.exec(`sleep 300 # ${marker}`, {
      sudo: { password },
      killSignal: controller.signal,
    });
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    controller.abort();
    expect((await running).killed).toBe(true);
    const ps = await root.exec('ps -eo args=');
    expect(ps.stdout).not.toContain(marker);
  });
});
