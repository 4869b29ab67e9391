import { describe, expect, it } from 'vitest';
import { pluginEnvironment, runPlugin, type RunOptions } from './run-plugin.js';

const node = (script: string, overrides: Partial<RunOptions> = {}) =>
  runPlugin({
    argv: [process.execPath, '-e', script],
    timeoutMs: 10_000,
    maxOutputBytes: 1 << 20,
    ...overrides,
  });

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('runPlugin', () => {
  it('captures stdout, stderr and the exit code of a successful command', async () => {
    const outcome = await node('process.stdout.write("out\\n"); process.stderr.write("err")');
    expect(outcome).toMatchObject({
      exitCode: 0,
      signal: null,
      timedOut: false,
      truncated: false,
      aborted: false,
    });
    expect(outcome.stdout.toString()).toBe('out\n');
    expect(outcome.stderr.toString()).toBe('err');
    expect(outcome.spawnError).toBeUndefined();
    expect(outcome.durationMs).toBeGreaterThanOrEqual(0);
  });

  it('passes arguments without a shell', async () => {
    const outcome = await runPlugin({
      argv: [
        process.execPath,
        '-e',
        'console.log(JSON.stringify(process.argv.slice(1)))',
        '$HOME',
        'a b',
        '*',
        ';',
      ],
      timeoutMs: 10_000,
      maxOutputBytes: 1024,
    });
    expect(JSON.parse(outcome.stdout.toString())).toEqual(['$HOME', 'a b', '*', ';']);
  });

  it('reports the exit code of a failing command', async () => {
    const outcome = await node('console.error("bad thing"); process.exit(3)');
    expect(outcome).toMatchObject({ exitCode: 3, timedOut: false });
    expect(outcome.stderr.toString()).toBe('bad thing\n');
  });

  it('reports a missing binary', async () => {
    const outcome = await runPlugin({
      argv: ['minke-no-such-binary-x'],
      timeoutMs: 5000,
      maxOutputBytes: 1024,
    });
    expect(outcome).toMatchObject({
      exitCode: null,
      spawnError: 'command not found: minke-no-such-binary-x',
    });
  });

  // The commands below sleep for a minute: the test's own time-out catches one left running.
  it('kills a command that runs past its timeout, with the children it started', async () => {
    // The child prints the pid of a grandchild, then both sleep.
    const script = [
      'const { spawn } = require("node:child_process");',
      'const child = spawn(process.execPath, ["-e", "setTimeout(() => {}, 60000)"], { stdio: "ignore" });',
      'console.log(child.pid);',
      'setTimeout(() => {}, 60000);',
    ].join('\n');
    const outcome = await node(script, { timeoutMs: 500, killGraceMs: 500 });
    expect(outcome.timedOut).toBe(true);
    expect(outcome.signal).toBe('SIGTERM');
    const grandchild = Number(outcome.stdout.toString().trim());
    expect(grandchild).toBeGreaterThan(0);
    for (let i = 0; i < 50 && isAlive(grandchild); i++) await new Promise((r) => setTimeout(r, 50));
    expect(isAlive(grandchild)).toBe(false);
  });

  it('uses SIGKILL when SIGTERM is ignored', async () => {
    // sh ignores TERM within milliseconds of starting and sleep inherits that; a Node child took
    // longer than the time-out to install its handler on a loaded machine, so TERM killed it.
    const outcome = await runPlugin({
      argv: ['/bin/sh', '-c', "trap '' TERM; exec sleep 60"],
      timeoutMs: 1_500,
      killGraceMs: 300,
      maxOutputBytes: 1 << 20,
    });
    expect(outcome).toMatchObject({ timedOut: true, signal: 'SIGKILL' });
  });

  it('caps the output, marks it truncated and stops the command', async () => {
    const outcome = await node(
      'const b = "x".repeat(1024); setInterval(() => process.stdout.write(b), 1)',
      {
        maxOutputBytes: 10_000,
      },
    );
    expect(outcome.truncated).toBe(true);
    expect(outcome.stdout.length).toBe(10_000);
    // stopped by the cap, not by the (10 s) timeout
    expect(outcome).toMatchObject({ timedOut: false, signal: 'SIGTERM' });
  });

  it('stops the command when aborted', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 200);
    const outcome = await node('setTimeout(() => {}, 60000)', {
      signal: controller.signal,
      killGraceMs: 200,
    });
    expect(outcome).toMatchObject({ aborted: true, timedOut: false });
  });

  it('does not pass the agent settings (and its password) to plugins', async () => {
    expect(pluginEnvironment({ PATH: '/bin', MINKE_AGENT_PASSWORD: 'secret', LANG: 'C' })).toEqual({
      PATH: '/bin',
      LANG: 'C',
    });
    process.env['MINKE_AGENT_PASSWORD'] = 'secret';
    try {
      const outcome = await node(
        'console.log(JSON.stringify(process.env.MINKE_AGENT_PASSWORD ?? null))',
      );
      expect(outcome.stdout.toString()).toBe('null\n');
    } finally {
      delete process.env['MINKE_AGENT_PASSWORD'];
    }
  });
});
