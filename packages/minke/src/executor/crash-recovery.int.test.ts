import { spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { POSTGRES_URL } from '../../test-support/databases.js';
import {
  builtMinke,
  exited,
  prepareLocalHost,
  printed,
  writeProject,
} from '../../test-support/project-folder.js';
import { freePort } from '../../test-support/redis.js';
import { spawnBuiltCli } from '../../test-support/run-cli.js';

/** In the command line of the sessions' sleeps: what is left of them on this machine is found. */
const SLEEP_MARK = `minke-crash-sleep-${randomBytes(4).toString('hex')}`;

// kill -9 of `minke start` in the middle of a run: after a restart, no session of that run is
// left running or waiting, each says why, and the hosts are free again.
const sessions = `
import { Session } from 'minke';

export class Sleep extends Session {
  static override workOn = ['Host'];
  override async process() {
    await this.run('sleep 30 # ${SLEEP_MARK}');
  }
}

export class Quick extends Session {
  static override workOn = ['Host'];
  override async process() {
    await this.run('true');
  }
}
`;

const tmp = mkdtempSync(join(tmpdir(), 'minke-crash-'));
const databases: string[] = [];
afterAll(async () => {
  rmSync(tmp, { recursive: true, force: true });
  const admin = new pg.Client({ connectionString: POSTGRES_URL });
  await admin.connect();
  for (const name of databases) await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.end();
});

/** A PostgreSQL database of its own, as a user's would be; dropped afterwards. */
async function freshPostgres(): Promise<Record<string, string>> {
  const name = `minke_crash_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: POSTGRES_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  databases.push(name);
  const url = new URL(POSTGRES_URL);
  url.pathname = `/${name}`;
  return { MINKE_DATABASE_URL: url.toString() };
}

/** The processes of this machine whose command line holds `mark` (ps, as a person looks). */
function processesWith(mark: string): string[] {
  const listed = spawnSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' });
  return listed.stdout.split('\n').filter((line) => line.includes(mark));
}

/** Polls (bounded: 10 s) until no process holds `mark`; returns those still there. */
async function goneWithin10s(mark: string): Promise<string[]> {
  let left = processesWith(mark);
  for (let attempt = 0; attempt < 50 && left.length > 0; attempt++) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    left = processesWith(mark);
  }
  return left;
}

interface HistoryRow {
  id: number;
  hostName: string;
  processState: string;
  result: string | null;
}

async function history(dir: string, env: Record<string, string>): Promise<HistoryRow[]> {
  const listed = await builtMinke(dir, ['history', '--json'], env);
  expect(listed.code).toBe(0);
  return (JSON.parse(listed.stdout) as { items: HistoryRow[] }).items;
}

/** Polls the records (bounded) until `done` holds; returns the last look. */
async function waitForHistory(
  dir: string,
  env: Record<string, string>,
  done: (rows: HistoryRow[]) => boolean,
): Promise<HistoryRow[]> {
  let rows: HistoryRow[] = [];
  for (let attempt = 0; attempt < 60; attempt++) {
    rows = await history(dir, env);
    if (done(rows)) return rows;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  return rows;
}

/**
 * A project with the sessions above and local hosts. One host at a time: with two hosts, the
 * second still waits (initialized) while the first runs.
 */
async function writeSleepProject(
  dir: string,
  env: Record<string, string>,
  hosts: string[],
): Promise<void> {
  writeProject(dir, {
    config:
      "database: 'sqlite:data.db', sessions: [Sleep, Quick], executor: { maxParallelHosts: 1 }",
    sessions,
    sessionNames: ['Sleep', 'Quick'],
  });
  const [first = 'local1', ...others] = hosts;
  await prepareLocalHost(dir, env, first);
  for (const host of others) {
    const added = await builtMinke(
      dir,
      ['hosts', 'add', host, '--config', 'transport: local'],
      env,
    );
    expect(added.code, added.stderr).toBe(0);
  }
}

function startServer(dir: string, env: Record<string, string>, port: number): ChildProcess {
  return spawnBuiltCli(['--project', dir, 'start', '--port', String(port)], {
    env: { ...env, MINKE_MQTT_PORT: '0' },
  });
}

describe.each([
  { backend: 'sqlite', makeEnv: () => Promise.resolve({}) },
  { backend: 'postgres', makeEnv: freshPostgres },
])('kill -9 of minke start mid-run on $backend', { timeout: 180_000 }, ({ backend, makeEnv }) => {
  it('ends every session of the run after a restart, with the reason, and frees the hosts', async () => {
    const dir = join(tmp, backend);
    const env = await makeEnv();
    await writeSleepProject(dir, env, ['local1', 'local2']);
    const admin = await builtMinke(dir, ['users', 'create', 'admin', '--superuser'], {
      ...env,
      MINKE_PASSWORD: 'a long admin password',
    });
    expect(admin.code).toBe(0);
    const token = (
      await builtMinke(dir, ['tokens', 'create', '--user', 'admin'], env)
    ).stdout.trim();
    const port = await freePort();

    let server = startServer(dir, env, port);
    let follower: ChildProcess | undefined;
    try {
      await printed(server, 'Minke is serving');
      // Started and followed by `minke run --server`, as a user would: it must see the run
      // through the crash and the restart (its stream refused, then a server that no longer
      // holds its events) and print how each session ended.
      follower = spawnBuiltCli(
        [
          '--server',
          `http://127.0.0.1:${port}`,
          'run',
          'Sleep',
          '--id',
          'local1',
          '--id',
          'local2',
        ],
        { env: { MINKE_TOKEN: token } },
      );
      let followed = '';
      follower.stdout?.on('data', (chunk: Buffer) => (followed += chunk.toString()));
      const running = await waitForHistory(dir, env, (rows) =>
        rows.some((row) => row.processState === 'running'),
      );
      expect(running.map((row) => [row.hostName, row.processState]).sort()).toEqual([
        ['local1', 'running'],
        ['local2', 'initialized'],
      ]);

      server.kill('SIGKILL');
      await exited(server);
      server = startServer(dir, env, port);
      await printed(server, 'Minke is serving');

      const after = await waitForHistory(dir, env, (rows) =>
        rows.every((row) => !['running', 'initialized', 'stopping'].includes(row.processState)),
      );
      expect(after.map((row) => [row.hostName, row.processState, row.result]).sort()).toEqual([
        ['local1', 'failed', 'error'],
        ['local2', 'canceled', 'error'],
      ]);
      expect(await exited(follower, 90_000)).toBe(1);
      expect(followed).toMatch(/^ERROR\s+local1 \[local1\] failed in \d+\.\d s$/m);
      expect(followed).toMatch(/^STOPPED\s+local2 \[local2\] canceled$/m);
      // Both from the records: the restarted server no longer holds the run's events (reset),
      // so the CLI reads the run until it ends (the polling fallback).
      expect(
        followed.match(/error\s*: worker lost: the process that ran it \(pid \d+\)/g),
      ).toHaveLength(2);
      expect(followed).toContain(
        '2 session(s): 0 success, 0 warning, 1 error, 1 stopped or canceled',
      );
      for (const row of after) {
        const shown = await builtMinke(dir, ['history', 'show', String(row.id), '--json'], env);
        const record = JSON.parse(shown.stdout) as { messages: { text: string }[] };
        expect(record.messages.map((m) => m.text)).toContainEqual(
          expect.stringMatching(
            /^worker lost: the process that ran it \(pid \d+\) ended without finishing it$/,
          ),
        );
      }
      // The hosts are free: a new run takes local1 at once instead of "busy with run 1".
      const quick = await builtMinke(dir, ['run', 'Quick', '--id', 'local1'], env);
      expect(quick.stdout).toContain('local1 [local1] completed');
      expect(quick.code).toBe(0);

      server.kill('SIGTERM');
      expect(await exited(server)).toBe(0);
    } finally {
      server.kill('SIGKILL');
      follower?.kill('SIGKILL');
    }
  });
});

// kill -9 of `minke run` with no server at all: the next `minke history` says what happened, and
// the next `minke run` finds the hosts free.
describe.each([
  { backend: 'sqlite', makeEnv: () => Promise.resolve({}) },
  { backend: 'postgres', makeEnv: freshPostgres },
])('kill -9 of minke run mid-run on $backend', { timeout: 180_000 }, ({ backend, makeEnv }) => {
  it('ends the killed run at the next history or run, with the reason, and frees the hosts', async () => {
    const dir = join(tmp, `cli-${backend}`);
    const env = await makeEnv();
    await writeSleepProject(dir, env, ['local1', 'local2']);

    const run = spawnBuiltCli(['--project', dir, 'run', 'Sleep', '--id', 'local1', 'local2'], {
      env,
    });
    try {
      const running = await waitForHistory(dir, env, (rows) =>
        rows.some((row) => row.processState === 'running'),
      );
      expect(running.map((row) => [row.hostName, row.processState]).sort()).toEqual([
        ['local1', 'running'],
        ['local2', 'initialized'],
      ]);
      expect(processesWith(SLEEP_MARK).length).toBeGreaterThan(0);
      run.kill('SIGKILL');
      await exited(run);
      // Its local command did not outlive it (it kept running before, holding nothing).
      expect(await goneWithin10s(SLEEP_MARK)).toEqual([]);

      // No waiting and no server: the first look at the history ends the run.
      const after = await history(dir, env);
      expect(after.map((row) => [row.hostName, row.processState, row.result]).sort()).toEqual([
        ['local1', 'failed', 'error'],
        ['local2', 'canceled', 'error'],
      ]);
      const shown = await builtMinke(dir, ['history', 'show', String(after[0]?.id), '--json'], env);
      const record = JSON.parse(shown.stdout) as { messages: { text: string }[] };
      expect(record.messages.map((m) => m.text)).toContainEqual(
        expect.stringMatching(/^worker lost: the process that ran it \(pid \d+\) ended/),
      );
      const quick = await builtMinke(dir, ['run', 'Quick', '--id', 'local1'], env);
      expect(quick.stdout).toContain('local1 [local1] completed');
      expect(quick.code).toBe(0);
    } finally {
      run.kill('SIGKILL');
    }
  });

  it('a run started just after a killed one takes its hosts at once, without a history first', async () => {
    const dir = join(tmp, `cli-run-${backend}`);
    const env = await makeEnv();
    await writeSleepProject(dir, env, ['local1']);
    const run = spawnBuiltCli(['--project', dir, 'run', 'Sleep', '--id', 'local1'], { env });
    try {
      await waitForHistory(dir, env, (rows) => rows.some((row) => row.processState === 'running'));
      run.kill('SIGKILL');
      await exited(run);
      const quick = await builtMinke(dir, ['run', 'Quick', '--id', 'local1'], env);
      expect(quick.stdout).toContain('local1 [local1] completed');
      expect(quick.stdout).not.toContain('busy');
      expect(quick.code).toBe(0);
    } finally {
      run.kill('SIGKILL');
    }
  });
});
