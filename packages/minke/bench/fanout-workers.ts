// The fan-out benchmark's `--workers N` side: the same one-command run, queued on BullMQ (Redis)
// by this process and run by N worker processes (fanout-worker-process.ts), each with the same
// per-process host limit as the in-process executor. Timed from startRun to run.finished;
// worker start-up is not measured, and each worker's share is counted.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { RedisEventBus } from '../src/events/redis/redis-event-bus.js';
import { startScaleOut } from '../src/runtime/scale-out.js';
import { silentLogger } from '../src/logger.js';
import { startRun } from '../src/operations/start-run.js';
import type { OpenedProject } from '../src/runtime/open-project.js';
import { RunStore } from '../src/runs/run-store.js';
import { deleteRedisPrefix, REDIS_URL } from '../test-support/redis.js';
import { runFinished } from '../test-support/run-waiter.js';
import type { MinkeOutcome } from './fanout-minke.js';
import type { BenchWorkerSettings } from './fanout-worker-process.js';
import { choiceCheckFor } from '../src/choices/check-choices.js';

const entry = fileURLToPath(new URL('./fanout-worker-process.ts', import.meta.url));
const tsxLoader = pathToFileURL(
  join(dirname(createRequire(import.meta.url).resolve('tsx/package.json')), 'dist/loader.mjs'),
).href;
/** A worker that does not say `ready` in this long is broken, not slow. */
const startTimeoutMs = 60_000;
const stopTimeoutMs = 20_000;

export interface BenchWorker {
  pid: number | undefined;
  owner: string;
  /** SIGTERM; resolves with the sessions it finished (undefined if it had to be killed). Safe
   * to call again: it reads the same answer. */
  stop(): Promise<number | undefined>;
}

export interface BenchWorkers {
  workers: BenchWorker[];
  /** The queue's Redis namespace (unique to this side), removed by `dispose`. */
  prefix: string;
  /** Stops the workers (if not stopped yet) and removes the queue's keys. */
  dispose(): Promise<void>;
}

/** Starts `count` workers on a fresh queue prefix and waits until each takes work. */
export async function startBenchWorkers(
  count: number,
  settings: Omit<BenchWorkerSettings, 'redisUrl' | 'prefix'>,
): Promise<BenchWorkers> {
  const prefix = `minke-bench-fanout-${randomBytes(5).toString('hex')}`;
  const workers: BenchWorker[] = [];
  const dispose = async () => {
    await Promise.all(workers.map((worker) => worker.stop()));
    await deleteRedisPrefix(REDIS_URL, prefix);
  };
  try {
    // One after another: start-up is not timed, and the machine has few cores to share.
    for (let i = 0; i < count; i++)
      workers.push(await spawnWorker({ ...settings, redisUrl: REDIS_URL, prefix }));
  } catch (error) {
    await dispose();
    throw error;
  }
  return { workers, prefix, dispose };
}

async function spawnWorker(settings: BenchWorkerSettings): Promise<BenchWorker> {
  const child = spawn(process.execPath, ['--import', tsxLoader, entry], {
    env: { ...process.env, MINKE_BENCH_WORKER: JSON.stringify(settings) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // Should the benchmark die without cleaning up, its workers must not outlive it.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  const exited = new Promise<void>((resolve) =>
    child.once('exit', () => {
      process.removeListener('exit', killOnExit);
      resolve();
    }),
  );
  const owner = await readyLine(
    child,
    () => stdout,
    () => stderr,
  );
  return { pid: child.pid, owner, stop: () => stopWorker(child, exited, () => stdout) };
}

function readyLine(child: ChildProcess, stdout: () => string, stderr: () => string) {
  return new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`a bench worker did not start within ${startTimeoutMs} ms: ${stderr()}`));
    }, startTimeoutMs);
    child.stdout?.on('data', () => {
      const ready = /^ready (\S+)$/m.exec(stdout());
      if (!ready) return;
      clearTimeout(timer);
      resolve(ready[1] ?? '');
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(
        new Error(`a bench worker exited (${code ?? signal}) before it was ready: ${stderr()}`),
      );
    });
  });
}

async function stopWorker(
  child: ChildProcess,
  exited: Promise<void>,
  stdout: () => string,
): Promise<number | undefined> {
  if (child.exitCode === null && child.signalCode === null) {
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), stopTimeoutMs);
    await exited;
    clearTimeout(timer);
  }
  const finished = /^finished (\d+)$/m.exec(stdout());
  return finished ? Number(finished[1]) : undefined;
}

/**
 * Queues FanoutTrue on every host from this process (as `minke run` or a server does) and waits
 * for run.finished. The workers keep their connections pooled: they close when they stop.
 */
export async function runQueued(
  project: OpenedProject,
  prefix: string,
  timeoutMs: number,
): Promise<MinkeOutcome> {
  const start = performance.now();
  const bus = new RedisEventBus({ url: REDIS_URL, prefix, logger: silentLogger });
  const client = startScaleOut({
    project,
    runs: new RunStore(project.database),
    bus,
    logger: silentLogger,
    role: 'client',
    backend: { kind: 'redis', url: REDIS_URL, prefix },
  });
  try {
    await bus.ready();
    const runs = new RunStore(project.database);
    const started = await startRun(
      { project, runs, bus, executor: client.executor, checkChoices: choiceCheckFor(project) },
      { session: 'FanoutTrue', model: 'Host', all: true },
    );
    const startedAtMs = performance.now() - start;
    const events = await runFinished(bus, started.runId, timeoutMs);
    const finishedAtMs = performance.now() - start;
    const finished = events.find((event) => event.type === 'run.finished');
    if (finished?.type !== 'run.finished') throw new Error('run.finished carried no summary');
    return { runId: started.runId, summary: finished.summary, startedAtMs, finishedAtMs };
  } finally {
    await client.close();
    await bus.close();
  }
}
