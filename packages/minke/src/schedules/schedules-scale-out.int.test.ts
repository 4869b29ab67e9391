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
 * seconds launches exactly one run, whichever server's scheduler worker takes it. With both
 * servers down for a while and started again together, the ticks missed meanwhile are handled
 * once, as each schedule says (skipped with a note, or one run).
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
const serverProcesses: ChildProcess[] = [];
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
  await startServers();
  for (let i = 0; i < 2; i++) {
    const worker = spawnBuiltCli(['--project', dir, 'worker'], { env });
    children.push(worker);
    await printed(worker, 'press Ctrl-C', 90_000);
  }
}, 300_000);

/** Two `minke serve` processes, started together (both catch up missed ticks at start). */
async function startServers(): Promise<void> {
  const ports = [await freePort(), await freePort()];
  const started = ports.map((port) =>
    spawnBuiltCli(['--project', dir, 'serve', '--port', String(port)], { env }),
  );
  await Promise.all(started.map((server) => printed(server, 'press Ctrl-C', 90_000)));
  serverProcesses.push(...started);
  servers.splice(0, servers.length, ...ports.map((port) => `http://127.0.0.1:${port}`));
}

async function stopServers(): Promise<void> {
  for (const server of serverProcesses) server.kill('SIGTERM');
  for (const server of serverProcesses) await exited(server, 30_000);
  serverProcesses.length = 0;
}

afterAll(async () => {
  await stopServers();
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

  it('handles ticks missed while both servers were down once: skipped, or run once', async () => {
    const ids: Record<string, number> = {};
    for (const missed of ['skip', 'run-once'] as const) {
      const saved = await api<JobDetail>(servers[0] ?? '', 'POST', '/api/jobs', {
        name: `missed-${missed}`,
        session: 'Tick',
        selection: { kind: 'all' },
        schedule: { cron: '*/2 * * * * *', timezone: 'UTC', missed },
      });
      expect(saved.status).toBe(201);
      ids[missed] = saved.body.id;
    }
    const ticks = async (missed: string) =>
      (await api<JobDetail>(servers[0] ?? '', 'GET', `/api/jobs/${ids[missed]}`)).body.ticks;
    const until = async <T>(what: string, check: () => Promise<T | undefined>) => {
      const end = Date.now() + 120_000;
      for (;;) {
        const value = await check();
        if (value !== undefined) return value;
        if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    };
    for (const missed of ['skip', 'run-once'])
      await until(`a launched tick of missed-${missed}`, async () =>
        (await ticks(missed)).some((t) => t.outcome === 'launched') ? true : undefined,
      );

    await stopServers();
    await new Promise((resolve) => setTimeout(resolve, 7000)); // several ticks go by
    await startServers();

    const skipped = await until('the missed ticks of missed-skip', async () =>
      (await ticks('skip')).find((t) => t.outcome === 'missed'),
    );
    expect(skipped.note).toMatch(/^missed \d+ tick\(s\) while Minke was down: skipped$/);
    expect(skipped.runId).toBeNull();
    const once = await until('the missed ticks of missed-run-once', async () => {
      const all = await ticks('run-once');
      const missed = all.find((t) => t.outcome === 'missed');
      const launched = all.find((t) => t.tickAt === missed?.tickAt && t.outcome === 'launched');
      return missed && launched ? { missed, launched } : undefined;
    });
    expect(once.missed.note).toMatch(/^missed \d+ tick\(s\) while Minke was down: run once now$/);
    expect(once.launched.note).toMatch(/^launched for the missed ticks: run \d+ on 1 object\(s\)$/);

    for (const missed of ['skip', 'run-once']) {
      expect((await api(servers[1] ?? '', 'POST', `/api/jobs/${ids[missed]}/disable`)).status).toBe(
        200,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 3000)); // ticks handed out finish
    for (const missed of ['skip', 'run-once']) {
      const all = await ticks(missed);
      // Two servers caught up at start, yet the missed ticks are one note, and no tick (the one
      // BullMQ held from before the stop included) launched twice.
      expect(all.filter((t) => t.outcome === 'missed')).toHaveLength(1);
      const launched = all.filter((t) => t.outcome === 'launched').map((t) => t.tickAt);
      expect(new Set(launched).size).toBe(launched.length);
      const runs = all.flatMap((t) => (t.runId === null ? [] : [t.runId]));
      expect(new Set(runs).size).toBe(runs.length);
    }
  });

  it('a server starting while another takes ticks calls none of them missed', async () => {
    const [first] = servers as [string, string];
    const saved = await api<JobDetail>(first, 'POST', '/api/jobs', {
      name: 'hourly',
      session: 'Tick',
      selection: { kind: 'all' },
      schedule: { cron: '0 0 * * * *', timezone: 'UTC', missed: 'skip' },
    });
    expect(saved.status).toBe(201);
    // As if its last tick were three hours old: a server that caught up now would note missed
    // ticks, though two servers were up all along.
    const client = new pg.Client({ connectionString: databaseUrl.toString() });
    await client.connect();
    await client
      .query(`UPDATE minke_jobs SET last_tick_at = now() - interval '3 hours' WHERE id = $1`, [
        saved.body.id,
      ])
      .finally(() => client.end());

    const port = await freePort();
    const third = spawnBuiltCli(['--project', dir, 'serve', '--port', String(port)], { env });
    try {
      await printed(third, 'press Ctrl-C', 90_000);
    } finally {
      third.kill('SIGTERM');
      await exited(third, 30_000);
    }
    const ticks = (await api<JobDetail>(first, 'GET', `/api/jobs/${saved.body.id}`)).body.ticks;
    expect(ticks.filter((t) => t.outcome === 'missed')).toEqual([]);
  });
});
