import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import pg from 'pg';
import {
  ADMIN,
  baseEnv,
  cli,
  freePort,
  makeProject,
  minkeBin,
  stopChild,
  waitForHealth,
} from './harness.js';

/** The machine's PostgreSQL and Redis on loopback, as the minke package's integration tests use. */
const POSTGRES_URL =
  process.env.MINKE_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const REDIS_URL = process.env.MINKE_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/**
 * The demo project as a scaled-out deployment: PostgreSQL (a database of its own), BullMQ and
 * the event bus on Redis (a key prefix of its own), one `minke serve` and one `minke worker`.
 */
export interface ScaleOut {
  url: string;
  projectDir: string;
  /** Ends `minke serve` with SIGKILL, as a crash would: no graceful close of anything. */
  killServer(): Promise<void>;
  /** Starts `minke serve` again on the same port and waits for `/healthz`. */
  startServer(): Promise<void>;
  /** What the server and the worker printed so far (for failure messages). */
  log(): string;
  /** Stops both processes, drops the database, deletes the Redis keys, removes the project. */
  stop(): Promise<void>;
}

interface Running {
  child: ChildProcess;
  exited: Promise<void>;
}

export async function startScaleOut(): Promise<ScaleOut> {
  const suffix = randomBytes(5).toString('hex');
  const database = `minke_e2e_${suffix}`;
  const prefix = `minke-e2e-${suffix}`;
  const cleanups: (() => Promise<void>)[] = [];
  let log = '';
  let server: Running | undefined;
  let worker: Running | undefined;
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;

  const projectDir = makeProject();
  cleanups.push(() => Promise.resolve(rmSync(projectDir, { recursive: true, force: true })));
  const url = new URL(POSTGRES_URL);
  url.pathname = `/${database}`;
  const env = {
    MINKE_DATABASE_URL: url.toString(),
    MINKE_REDIS_URL: REDIS_URL,
    MINKE_EXECUTOR: 'bullmq',
    MINKE_QUEUE_PREFIX: prefix,
  };

  const spawnMinke = (name: string, args: readonly string[]): Running => {
    const child = spawn(process.execPath, [minkeBin, '--project', projectDir, ...args], {
      cwd: projectDir,
      env: { ...baseEnv(), ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const append = (chunk: Buffer) => (log += `[${name}] ${chunk.toString()}`);
    child.stdout?.on('data', append);
    child.stderr?.on('data', append);
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    return { child, exited };
  };

  const stop = async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
  };

  const startServer = async () => {
    const running = spawnMinke('serve', ['serve', '--port', String(port)]);
    server = running;
    await waitForHealth(base, running.child, () => log, 60_000);
  };

  try {
    await createDatabase(database);
    cleanups.push(() => dropDatabase(database));
    cleanups.push(() => deleteRedisPrefix(prefix));
    await cli(projectDir, ['migrate'], env);
    await cli(projectDir, ['load', join(projectDir, 'demo-data.yaml')], env);
    await cli(projectDir, ['load', join(projectDir, 'e2e-data.yaml')], env);
    await cli(projectDir, ['users', 'create', ADMIN.username, '--superuser'], {
      ...env,
      MINKE_PASSWORD: ADMIN.password,
    });
    cleanups.push(async () => {
      if (worker) await stopChild(worker.child, 15_000);
    });
    worker = spawnMinke('worker', ['worker', '--concurrency', '4']);
    await workerReady(worker, () => log);
    cleanups.push(async () => {
      if (server) await stopChild(server.child);
    });
    await startServer();
  } catch (error) {
    await stop();
    throw new Error(`the scaled-out project did not start: ${(error as Error).message}`);
  }

  return {
    url: base,
    projectDir,
    log: () => log,
    stop,
    startServer,
    async killServer() {
      const running = server;
      if (!running || running.child.exitCode !== null || running.child.signalCode !== null) return;
      running.child.kill('SIGKILL');
      await running.exited;
    },
  };
}

/** Resolves once the worker says it takes work (bounded); fails if it exits first. */
async function workerReady(worker: Running, log: () => string, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (log().includes('press Ctrl-C')) return;
    if (worker.child.exitCode !== null)
      throw new Error(`minke worker exited ${worker.child.exitCode}:\n${log()}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`minke worker was not ready within ${timeoutMs} ms:\n${log()}`);
}

async function withPostgres(work: (client: pg.Client) => Promise<unknown>): Promise<void> {
  const client = new pg.Client({ connectionString: POSTGRES_URL });
  await client.connect();
  try {
    await work(client);
  } finally {
    await client.end();
  }
}

function createDatabase(name: string): Promise<void> {
  return withPostgres((client) => client.query(`CREATE DATABASE ${name}`));
}

/** FORCE: a server killed with SIGKILL may leave a backend that has not noticed yet. */
function dropDatabase(name: string): Promise<void> {
  return withPostgres((client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
}

/** Deletes the queue's and the event bus's keys (all under `prefix:`). */
async function deleteRedisPrefix(prefix: string): Promise<void> {
  const client = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    let cursor = '0';
    do {
      const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      if (keys.length > 0) await client.unlink(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    client.disconnect();
  }
}
