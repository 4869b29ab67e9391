// Starts and stops the API bench's workers (api-worker-process.ts): `--workers` processes that run
// the live run's sessions from the BullMQ queue while the bench's process serves the API, as
// `minke serve` and `minke worker`s share the work at scale.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ApiWorkerSettings } from './api-worker-process.js';

const entry = fileURLToPath(new URL('./api-worker-process.ts', import.meta.url));
/** A worker that does not say `ready` in this long is broken, not slow. */
const startTimeoutMs = 60_000;
const stopTimeoutMs = 30_000;

export interface ApiWorkers {
  count: number;
  /** SIGTERM to each (SIGKILL after a while); resolves once all have exited. */
  stop(): Promise<void>;
}

export async function startApiWorkers(
  count: number,
  settings: Omit<ApiWorkerSettings, 'concurrency'>,
  hosts: number,
): Promise<ApiWorkers> {
  const concurrency = Math.max(1, Math.ceil(hosts / count));
  const children: ChildProcess[] = [];
  const stop = async () => {
    await Promise.all(children.map((child) => stopChild(child)));
  };
  try {
    // One after another: start-up is not measured, and the machine has few cores to share.
    for (let i = 0; i < count; i++) children.push(await spawnWorker({ ...settings, concurrency }));
  } catch (error) {
    await stop();
    throw error;
  }
  return { count, stop };
}

async function spawnWorker(settings: ApiWorkerSettings): Promise<ChildProcess> {
  // TypeScript as this process runs it, without this process's profiling flags.
  const execArgv = process.execArgv.filter((arg) => !arg.startsWith('--cpu-prof'));
  const child = spawn(process.execPath, [...execArgv, entry], {
    env: { ...process.env, MINKE_BENCH_API_WORKER: JSON.stringify(settings) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // Should the bench die without cleaning up, its workers must not outlive it.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  child.once('exit', () => process.removeListener('exit', killOnExit));
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8');
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (text: string) => (stderr = (stderr + text).slice(-4000)));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`a bench worker did not start within ${startTimeoutMs} ms: ${stderr}`));
    }, startTimeoutMs);
    child.stdout?.on('data', (text: string) => {
      stdout += text;
      if (!/^ready /m.test(stdout)) return;
      clearTimeout(timer);
      resolve();
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`a bench worker exited (${code ?? signal}) before it was ready: ${stderr}`));
    });
  });
  // Its warnings (a failed session, a lost connection) are the run's story: shown when it stops.
  child.once('exit', () => {
    if (stderr.trim() !== '')
      console.log(`worker ${child.pid} said (last 4,000 chars):\n${stderr}`);
  });
  return child;
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), stopTimeoutMs);
  await exited;
  clearTimeout(timer);
}
