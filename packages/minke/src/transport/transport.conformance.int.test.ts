import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitUntil } from '../../test-support/wait-until.js';
import {
  type SshdServer,
  sshdConnection,
  sshdUnavailableReason,
  startSshd,
} from '../../test-support/sshd.js';
import { resolveConnectionConfig } from './config/resolve-connection.js';
import { createTransport } from './create-transport.js';
import { TransportError } from './transport-error.js';
import { commandStatus, type Transport } from './transport.js';

/**
 * One suite for the `Transport` contract, run on each implementation: `local` (processes on this
 * machine) and `ssh` against a real OpenSSH sshd on loopback. Session code never asks which one
 * it has, so both must give the same results, the same kill and the same file copies. Both run
 * on this machine, so `ps` here sees what either one started.
 */
interface TransportFactory {
  name: string;
  unavailable: string | undefined;
  open(): Promise<{ transport: Transport; close: () => Promise<void> }>;
}

const local: TransportFactory = {
  name: 'local',
  unavailable: undefined,
  async open() {
    const config = await resolveConnectionConfig({
      name: 'minke-itself',
      host: { transport: 'local', sshConfigFile: false },
    });
    const transport = createTransport(config);
    return { transport, close: () => transport.close() };
  },
};

const openssh: TransportFactory = {
  name: 'openssh',
  unavailable: sshdUnavailableReason(),
  async open() {
    const sshd: SshdServer = await startSshd();
    const transport = createTransport(sshdConnection(sshd));
    return {
      transport,
      close: async () => {
        await transport.close();
        await sshd.stop();
      },
    };
  },
};

/** sudo to another user without a password: as root, where sudo is installed. */
const sudoUnavailable =
  process.getuid?.() !== 0
    ? 'sudo without a password needs the tests to run as root'
    : existsSync('/usr/bin/sudo')
      ? undefined
      : 'sudo is not installed';

/** Processes of this machine whose command line holds the marker. */
function processesWith(marker: string): string[] {
  const ps = execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' });
  return ps.split('\n').filter((line) => line.includes(marker));
}

/** Two processes carrying the marker, one of which ignores TERM. */
function stubbornCommand(marker: string): string {
  return `sh -c 'trap "" TERM; sleep 301; : ${marker}' & sleep 300 # ${marker}\nwait`;
}

describe.each([local, openssh])('transport conformance: $name', { timeout: 60_000 }, (factory) => {
  let transport: Transport;
  let close: () => Promise<void> = () => Promise.resolve();
  let dir = '';
  beforeAll(async () => {
    if (factory.unavailable) return;
    ({ transport, close } = await factory.open());
    await transport.connect();
    dir = await mkdtemp(join(tmpdir(), 'minke-transport-'));
  });
  afterAll(async () => {
    await close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it.skipIf(factory.unavailable !== undefined)(
    'runs a command: stdout, stderr, exit code and timing, unicode intact',
    async () => {
      const result = await transport.exec("printf 'foobär\\n'; printf '日本語 🚀' >&2; exit 3");
      expect(result).toMatchObject({
        command: "printf 'foobär\\n'; printf '日本語 🚀' >&2; exit 3",
        stdout: 'foobär\n',
        stderr: '日本語 🚀',
        exitCode: 3,
        pty: false,
        killed: false,
        timedOut: false,
      });
      expect(result.finishedAt.getTime()).toBeGreaterThanOrEqual(result.startedAt.getTime());
      expect(transport.connected).toBe(true);
    },
  );

  it.skipIf(factory.unavailable !== undefined)(
    'gives success, warning on stderr alone, error on a non-zero exit',
    async () => {
      expect(commandStatus(await transport.exec('true'))).toBe('success');
      expect(commandStatus(await transport.exec('echo note >&2'))).toBe('warning');
      const failed = await transport.exec('exit 42');
      expect(failed.exitCode).toBe(42);
      expect(commandStatus(failed)).toBe('error');
    },
  );

  it.skipIf(factory.unavailable !== undefined)(
    'exports env values as they are, gives EOF on stdin, and starts each command afresh',
    async () => {
      const value = `it's "$(me)" & \`you\`; $HOME`;
      const result = await transport.exec('printf %s "$GREETING"; cat', {
        env: { GREETING: value },
      });
      expect(result).toMatchObject({ stdout: value, exitCode: 0 });
      // A command's cd and variables do not reach the next one: same start directory each time.
      const start = (await transport.exec('pwd')).stdout;
      await transport.exec('cd / && export LEFT_OVER=1');
      const next = await transport.exec('pwd; printf %s "${LEFT_OVER-unset}"');
      expect(next.stdout).toBe(`${start}unset`);
    },
  );

  it.skipIf(factory.unavailable !== undefined)(
    'streams output as it arrives and cuts a big output to its head and tail',
    async () => {
      let streamed = 0;
      const result = await transport.exec('seq 1 400000', {
        onOutput: (stream, chunk) => (streamed += stream === 'stdout' ? chunk.length : 0),
      });
      const total = Array.from({ length: 400_000 }, (_, i) => `${i + 1}\n`).join('').length;
      expect(streamed).toBe(total);
      expect(result.exitCode).toBe(0);
      expect(result.stdout.startsWith('1\n2\n3\n')).toBe(true);
      expect(result.stdout.endsWith('399999\n400000\n')).toBe(true);
      expect(result.stdout).toContain('[minke: ');
      expect(result.outputCut?.stdout).toMatchObject({ totalBytes: total, totalLines: 400_000 });
      expect(result.outputCut?.stdout?.droppedBytes).toBeGreaterThan(0);
    },
  );

  it.skipIf(factory.unavailable !== undefined)(
    'times a command out and leaves nothing running',
    async () => {
      const marker = `minke-timeout-${randomBytes(6).toString('hex')}`;
      const result = await transport.exec(stubbornCommand(marker), { timeoutMs: 500 });
      expect(result).toMatchObject({ timedOut: true, killed: false, exitCode: null });
      expect(commandStatus(result)).toBe('error');
      await waitUntil(() => processesWith(marker).length === 0);
    },
  );

  it.skipIf(factory.unavailable !== undefined)(
    "kills a command's whole process group, children that ignore TERM included",
    async () => {
      const marker = `minke-kill-${randomBytes(6).toString('hex')}`;
      const controller = new AbortController();
      const running = transport.exec(stubbornCommand(marker), { killSignal: controller.signal });
      await waitUntil(() => processesWith(marker).length >= 2);
      controller.abort();
      const result = await running;
      expect(result).toMatchObject({ killed: true, timedOut: false, exitCode: null });
      expect(commandStatus(result)).toBe('error');
      await waitUntil(() => processesWith(marker).length === 0);
    },
  );

  it.skipIf(factory.unavailable !== undefined || sudoUnavailable !== undefined)(
    'runs a command under sudo as another user, keeping its env',
    async () => {
      const result = await transport.exec('id -un; printf %s "$KEPT"', {
        sudo: { user: 'nobody' },
        env: { KEPT: 'yes' },
      });
      expect(result).toMatchObject({ stdout: 'nobody\nyes', exitCode: 0 });
    },
  );

  it.skipIf(factory.unavailable !== undefined)(
    'puts and gets files with the mode asked for, and names a missing file clearly',
    async () => {
      const path = join(dir, `it's a "file" $HOME.txt`);
      const put = await transport.put({ content: 'PORT=8080\n' }, path, { mode: 0o640 });
      expect(put).toMatchObject({ direction: 'put', remotePath: path, bytes: 10, mode: 0o640 });
      const got = await transport.get(path);
      expect(got.data?.toString()).toBe('PORT=8080\n');
      expect((await transport.exec(`stat -c %a '${path.replaceAll("'", "'\\''")}'`)).stdout).toBe(
        '640\n',
      );
      const missing = join(dir, 'missing.txt');
      const error = await transport.get(missing).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TransportError);
      expect((error as TransportError).reason).toBe('no_such_file');
      expect((error as Error).message).toMatch(`: no such file or directory (get ${missing})`);
    },
  );
});
