import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type SshdServer,
  sshdConnection,
  sshdUnavailableReason,
  startSshd,
} from '../../../test-support/sshd.js';
import { commandStatus, type CommandResult } from '../transport.js';
import { SshTransport } from './ssh-transport.js';

const unavailable = sshdUnavailableReason();

describe.skipIf(unavailable !== undefined)('killing remote commands (no orphans)', () => {
  let sshd: SshdServer;
  let ssh: SshTransport;
  /** A second connection that only looks at the host's process list. */
  let observer: SshTransport;
  beforeAll(async () => {
    sshd = await startSshd();
    ssh = new SshTransport(sshdConnection(sshd));
    observer = new SshTransport(sshdConnection(sshd));
  });
  afterAll(async () => {
    await ssh?.close();
    await observer?.close();
    await sshd?.stop();
  });

  /** Lines of `ps` on the host that mention the marker (the ps pipeline itself excluded). */
  async function remoteProcesses(marker: string): Promise<string[]> {
    const ps = await observer.exec('ps -eo pid=,pgid=,args=');
    return ps.stdout.split('\n').filter((line) => line.includes(marker));
  }

  async function waitForRemote(marker: string, count: number): Promise<void> {
    for (let i = 0; i < 100 && (await remoteProcesses(marker)).length < count; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect((await remoteProcesses(marker)).length).toBeGreaterThanOrEqual(count);
  }

  /** A command with two processes that carry the marker; one of them ignores TERM. */
  function stubbornCommand(marker: string): string {
    return `sh -c 'trap "" TERM; sleep 301; : ${marker}' & sleep 300 # ${marker}\nwait`;
  }

  async function killWhileRunning(marker: string, pty: boolean): Promise<CommandResult> {
    const controller = new AbortController();
    const running = ssh.exec(stubbornCommand(marker), { pty, killSignal: controller.signal });
    await waitForRemote(marker, 2);
    controller.abort();
    return running;
  }

  it('kills a command without pty and everything it started', async () => {
    const marker = `minke-kill-${randomBytes(6).toString('hex')}`;
    const result = await killWhileRunning(marker, false);
    expect(result).toMatchObject({ killed: true, exitCode: null, pty: false });
    expect(commandStatus(result)).toBe('error');
    expect(await remoteProcesses(marker)).toEqual([]);
    expect(result.stderr).not.toContain('minke-pgid');
  });

  it('kills a command with a pty and everything it started', async () => {
    const marker = `minke-kill-${randomBytes(6).toString('hex')}`;
    const result = await killWhileRunning(marker, true);
    expect(result).toMatchObject({ killed: true, exitCode: null, pty: true });
    expect(await remoteProcesses(marker)).toEqual([]);
    expect(result.stdout).not.toContain('minke-pgid');
  });

  it('kills on timeout, with the same guarantee', async () => {
    const marker = `minke-timeout-${randomBytes(6).toString('hex')}`;
    const result = await ssh.exec(stubbornCommand(marker), { timeoutMs: 500 });
    expect(result).toMatchObject({ timedOut: true, exitCode: null });
    expect(await remoteProcesses(marker)).toEqual([]);
  });

  it('kills a command aborted before it started', async () => {
    const result = await ssh.exec('sleep 300', { killSignal: AbortSignal.abort() });
    // a `sleep 300` left running would hit the test's time-out
    expect(result).toMatchObject({ killed: true, exitCode: null });
  });

  it('kills what still runs when the transport is closed', async () => {
    const marker = `minke-close-${randomBytes(6).toString('hex')}`;
    const transport = new SshTransport(sshdConnection(sshd));
    const running = transport.exec(stubbornCommand(marker));
    await waitForRemote(marker, 2);
    await transport.close();
    expect((await running).killed).toBe(true);
    expect(await remoteProcesses(marker)).toEqual([]);
  });
});
