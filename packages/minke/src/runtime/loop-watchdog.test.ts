import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

const tsxLoader = join(
  dirname(createRequire(import.meta.url).resolve('tsx/package.json')),
  'dist/loader.mjs',
);
const watchdogUrl = pathToFileURL(fileURLToPath(new URL('./loop-watchdog.ts', import.meta.url)));

interface Ended {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Runs `body` in a Node process of its own with `watchEventLoop` imported; at most 40 s. */
function inProcess(body: string): Promise<Ended> {
  const script = `const { watchEventLoop } = await import(${JSON.stringify(watchdogUrl.href)});\n${body}`;
  const started = Date.now();
  const child = spawn(process.execPath, [
    '--import',
    tsxLoader,
    '--input-type=module',
    '-e',
    script,
  ]);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const limit = setTimeout(() => child.kill('SIGKILL'), 40_000);
  return new Promise((resolve) =>
    child.on('close', (code, signal) => {
      clearTimeout(limit);
      resolve({ code, signal, stdout, stderr, ms: Date.now() - started });
    }),
  );
}

describe('the event loop watchdog', { timeout: 60_000 }, () => {
  it('kills a process whose event loop is held, saying why', async () => {
    const ended = await inProcess(`
      watchEventLoop({ stallMs: 1000, what: 'the test process' });
      const until = Date.now() + 30_000;
      while (Date.now() < until) {}
      console.log('never');
    `);
    expect(ended.signal).toBe('SIGKILL');
    expect(ended.stdout).toBe('');
    expect(ended.stderr).toMatch(
      /^minke: the test process has not run its event loop for [12] s: a session that never yields \(a loop without an await\?\) holds it; killing the process \(its sessions end "worker lost"\)\n$/,
    );
    // Killed within seconds, not after the 30 s loop (start-up included).
    expect(ended.ms).toBeLessThan(20_000);
  });

  it('leaves alone a process that is busy but yields, and keeps none alive', async () => {
    const busy = await inProcess(`
      const watchdog = watchEventLoop({ stallMs: 1000, what: 'the test process' });
      for (let i = 0; i < 8; i++) {
        const until = Date.now() + 400;
        while (Date.now() < until) {}
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      await watchdog.stop();
      console.log('done');
    `);
    expect([busy.code, busy.signal, busy.stdout, busy.stderr]).toEqual([0, null, 'done\n', '']);
    // Not stopped: the watcher does not keep the process from ending.
    const idle = await inProcess(`
      watchEventLoop({ stallMs: 60_000, what: 'the test process' });
      console.log('bye');
    `);
    expect([idle.code, idle.stdout, idle.stderr]).toEqual([0, 'bye\n', '']);
    expect(idle.ms).toBeLessThan(15_000);
  });
});
