import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { createTransport } from '../create-transport.js';
import { resolveConnectionConfig } from '../config/resolve-connection.js';
import { commandStatus } from '../transport.js';
import { LocalTransport } from './local-transport.js';

const local = new LocalTransport();
afterAll(() => local.close());

/** Processes of this machine whose command line contains the marker. */
function processesWith(marker: string): string[] {
  const ps = execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' });
  return ps.split('\n').filter((line) => line.includes(marker));
}

describe('LocalTransport', () => {
  it('runs a command and reports stdout, stderr and exit code', async () => {
    const result = await local.exec("printf 'foobär\\n'; echo oops >&2; exit 3");
    expect(result).toMatchObject({
      stdout: 'foobär\n',
      stderr: 'oops\n',
      exitCode: 3,
      killed: false,
      pty: false,
    });
    expect(commandStatus(result)).toBe('error');
    expect(result.durationMs).toBeGreaterThanOrEqual(0);
  });

  it('gives warning for stderr only and success for a clean run', async () => {
    expect(commandStatus(await local.exec('echo note >&2'))).toBe('warning');
    expect(commandStatus(await local.exec('true'))).toBe('success');
  });

  it('exports env variables and closes stdin', async () => {
    const result = await local.exec('printf %s "$GREETING"; cat', {
      env: { GREETING: "it's $(me)" },
    });
    expect(result.stdout).toBe("it's $(me)");
    expect(result.exitCode).toBe(0);
  });

  it('streams output as it arrives', async () => {
    const chunks: string[] = [];
    await local.exec('echo one; echo two >&2', {
      onOutput: (stream, chunk) => chunks.push(`${stream}:${chunk}`),
    });
    expect(chunks.sort()).toEqual(['stderr:two\n', 'stdout:one\n']);
  });

  it('kills the whole process group, including children that ignore TERM', async () => {
    const marker = `minke-local-${randomBytes(6).toString('hex')}`;
    const controller = new AbortController();
    const running = local.exec(
      `sh -c 'trap "" TERM; sleep 301; : ${marker}' & sleep 300 # ${marker}\nwait`,
      {
        killSignal: controller.signal,
      },
    );
    await waitFor(() => processesWith(marker).length >= 2);
    controller.abort();
    const result = await running;
    expect(result).toMatchObject({ killed: true, exitCode: null, timedOut: false });
    expect(commandStatus(result)).toBe('error');
    expect(processesWith(marker)).toEqual([]);
  });

  it('times out', async () => {
    const result = await local.exec('sleep 30', { timeoutMs: 200 });
    // a `sleep 30` left running would hit the test's time-out
    expect(result).toMatchObject({ timedOut: true, killed: false, exitCode: null });
  });

  it('accepts pty but runs without one', async () => {
    const result = await local.exec('tty', { pty: true });
    expect(result.pty).toBe(false);
    expect(result.exitCode).not.toBe(0);
  });
});

async function waitFor(condition: () => boolean, tries = 100): Promise<void> {
  for (let i = 0; i < tries && !condition(); i++)
    await new Promise((resolve) => setTimeout(resolve, 50));
  expect(condition()).toBe(true);
}

describe('createTransport', () => {
  it('gives a local transport when the config says so', async () => {
    const config = await resolveConnectionConfig({
      name: 'minke-itself',
      host: { transport: 'local', sshConfigFile: false, env: { FROM_CONFIG: 'yes' } },
    });
    const transport = createTransport(config);
    expect(transport.kind).toBe('local');
    expect((await transport.exec('printf %s "$FROM_CONFIG"')).stdout).toBe('yes');
    await transport.close();
  });
});
