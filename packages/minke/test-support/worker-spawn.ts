/**
 * Starts `worker-process.ts` as a child process (through tsx's loader, as `run-cli.ts` runs the
 * CLI) and waits until it takes work.
 *
 * @example
 *   const worker = await spawnWorker(settings);
 *   worker.kill9();
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { WorkerProcessSettings } from './worker-process.js';

const entry = fileURLToPath(new URL('./worker-process.ts', import.meta.url));
const tsxLoader = pathToFileURL(
  join(dirname(createRequire(import.meta.url).resolve('tsx/package.json')), 'dist/loader.mjs'),
).href;

export interface SpawnedWorker {
  child: ChildProcess;
  owner: string;
  /** What it wrote to stderr (its logs). */
  stderr(): string;
  /** SIGKILL, as a crash or a machine gone would: no cleanup of any kind. */
  kill9(): Promise<void>;
  /** SIGTERM and wait (bounded); SIGKILL if it does not end. */
  stop(): Promise<void>;
}

export async function spawnWorker(
  settings: WorkerProcessSettings,
  timeoutMs = 30_000,
): Promise<SpawnedWorker> {
  const child = spawn(process.execPath, ['--import', tsxLoader, entry], {
    env: { ...process.env, MINKE_TEST_WORKER: JSON.stringify(settings) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const ended = async (signal: NodeJS.Signals, waitMs: number) => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), waitMs);
    await exited;
    clearTimeout(timer);
  };
  const owner = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`worker did not start within ${timeoutMs} ms: ${stderr}`));
    }, timeoutMs);
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const ready = /^ready (\S+)$/m.exec(stdout);
      if (!ready) return;
      clearTimeout(timer);
      resolve(ready[1] ?? '');
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`worker exited (${code ?? signal}) before it was ready: ${stderr}`));
    });
  });
  return {
    child,
    owner,
    stderr: () => stderr,
    kill9: () => ended('SIGKILL', 5000),
    stop: () => ended('SIGTERM', 15_000),
  };
}
