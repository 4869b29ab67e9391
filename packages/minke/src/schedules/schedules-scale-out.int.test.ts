import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobDetail, RunItem } from '@minke/contract';
import { POSTGRES_URL } from '../../test-support/databases.js';
import {
  builtMinke,
  exited,
  prepareLocalHost,
  printed,
  writeProject,
} from '../../test-support/project-folder.js';
import {
  deleteRedisPrefix,
  freePort,
  REDIS_URL,
  uniqueRedisPrefix,
} from '../../test-support/redis.js';
import { spawnBuiltCli } from '../../test-support/run-cli.js';

/**
 * Scaled out: two `minke serve` processes and two `minke worker`s on PostgreSQL + Redis (BullMQ).
 * Both servers upsert the job's BullMQ job scheduler; each tick of a schedule of every two
 * seconds launches exactly one run, whichever server's scheduler worker takes it.
 */
const SESSIONS = `import { Session } from 'minke';
export class Tick extends Session {
  static override workOn = ['Host'];
  override async process() {
    await this.c.run('echo tick');
  }
}
`;
const database = `schedules_${randomBytes(5).toString('hex')}`;
const prefix = uniqueRedisPrefix();
const databaseUrl = new URL(POSTGRES_URL);
databaseUrl.pathname = `/${database}`;
const env = {
  MINKE_DATABASE_URL: databaseUrl.toString(),
  MINKE_REDIS_URL: REDIS_URL,
  MINKE_QUEUE_PREFIX: prefix,
  MINKE_MQTT_PORT: '0',
};
const tmp = mkdtempSync(join(tmpdir(), 'minke-schedules-'));
const dir = join(tmp, 'p');
const children: ChildProcess[] = [];
const servers: string[] = [];
let token = '';

const admin = async (sql: string) => {
  const client = new pg.Client({ connectionString: POSTGRES_URL });
  await client.connect();
  await client.query(sql).finally(() => client.end());
};

async function api<T>(server: string, method: string, path: string, body?: unknown) {
  const response = await fetch(`${server}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, body: (await response.json()) as T };
}

beforeAll(async () => {
  await admin(`CREATE DATABASE ${database}`);
  writeProject(dir, {
    config: "database: 'sqlite:unused.db', sessions: [Tick]",
    sessions: SESSIONS,
    sessionNames: ['Tick'],
  });
  await prepareLocalHost(dir, env);
  const created = await builtMinke(dir, ['users', 'create', 'boss', '--superuser'], {
    ...env,
    MINKE_PASSWORD: 'boss-password-123',
  });
  expect(created.code, created.stderr).toBe(0);
  token = (await builtMinke(dir, ['tokens', 'create', '--user', 'boss'], env)).stdout.trim();
  for (let i = 0; i < 2; i++) {
    const port = await freePort();
    const server = spawnBuiltCli(['--project', dir, 'serve', '--port', String(port)], { env });
    children.push(server);
    await printed(server, 'press Ctrl-C', 90_000);
    servers.push(`http://127.0.0.1:${port}`);
  }
  for (let i = 0; i < 2; i++) {
    const worker = spawnBuiltCli(['--project', dir, 'worker'], { env });
    children.push(worker);
    await printed(worker, 'press Ctrl-C', 90_000);
  }
}, 300_000);

afterAll(async () => {
  for (const child of children) child.kill('SIGTERM');
  for (const child of children) await exited(child, 30_000);
  await deleteRedisPrefix(REDIS_URL, prefix);
  await admin(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  rmSync(tmp, { recursive: true, force: true });
}, 120_000);

describe('schedules scaled out (BullMQ, two servers, two workers)', { timeout: 240_000 }, () => {
  it('fires each tick exactly once', async () => {
    const [first, second] = servers as [string, string];
    const saved = await api<JobDetail>(first, 'POST', '/api/jobs', {
      name: 'every-two-seconds',
      session: 'Tick',
      selection: { kind: 'all' },
      schedule: { cron: '*/2 * * * * *', timezone: 'UTC', overlap: 'skip' },
    });
    expect(saved.status).toBe(201);
    const id = saved.body.id;
    // The second server reads the schedules again within ten seconds and upserts the same
    // job scheduler; wait for ticks well past that.
    const end = Date.now() + 120_000;
    let job = saved.body;
    while (job.ticks.filter((t) => t.outcome === 'launched').length < 10) {
      if (Date.now() > end) throw new Error(`too few ticks: ${JSON.stringify(job.ticks)}`);
      await new Promise((resolve) => setTimeout(resolve, 500));
      job = (await api<JobDetail>(second, 'GET', `/api/jobs/${id}`)).body;
    }
    expect((await api(second, 'POST', `/api/jobs/${id}/disable`)).status).toBe(200);
    // Ticks already handed to a worker finish; then nothing more comes.
    await new Promise((resolve) => setTimeout(resolve, 3000));
    job = (await api<JobDetail>(first, 'GET', `/api/jobs/${id}`)).body;

    const launched = job.ticks.filter((t) => t.outcome === 'launched');
    const tickTimes = job.ticks.filter((t) => t.outcome !== 'queued').map((t) => t.tickAt);
    // One note per tick, on even seconds, each launch with a run of its own.
    expect(new Set(tickTimes).size).toBe(tickTimes.length);
    for (const at of tickTimes) expect(new Date(at).getUTCSeconds() % 2).toBe(0);
    expect(new Set(launched.map((t) => t.runId)).size).toBe(launched.length);
    // And the runs linked to the job are exactly those launches.
    const runs = (await api<{ items: RunItem[] }>(first, 'GET', `/api/runs?job=${id}&limit=1000`))
      .body;
    expect(runs.items.map((r) => r.id).sort((a, b) => a - b)).toEqual(
      job.ticks.flatMap((t) => (t.runId === null ? [] : [t.runId])).sort((a, b) => a - b),
    );
    expect(runs.items.every((r) => r.jobId === id)).toBe(true);
  });
});
