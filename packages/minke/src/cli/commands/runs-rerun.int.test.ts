import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  builtMinke,
  exited,
  prepareLocalHost,
  printed,
  writeProject,
} from '../../../test-support/project-folder.js';
import { freePort } from '../../../test-support/redis.js';
import { spawnBuiltCli } from '../../../test-support/run-cli.js';

/**
 * `minke runs rerun ID` through the built CLI on a project folder, then through `minke start` of
 * the same folder with a token: the failed objects only, a new time limit, none, form data given
 * again, and what the user sees when the run is not there.
 */
const SESSIONS = `import { Session, z } from 'minke';
/** Fails on hosts named fail-* unless asked to pass; naps first when asked to. */
export class Flaky extends Session {
  static override workOn = ['Host'];
  static override form = z.object({
    nap: z.number().min(0).max(30).default(0),
    pass: z.boolean().default(false),
  });
  override async process() {
    const name = String(this.obj.name);
    await this.xrun('sleep ' + String(this.data.nap) + '; echo ran on ' + name);
    if (name.startsWith('fail-') && !this.data.pass) await this.xrun('exit 3');
  }
}

/** Asks before it runs. */
export class Careful extends Session {
  static override workOn = ['Host'];
  static override confirm = true;
  override async process() {
    await this.xrun('echo careful');
  }
}
`;

interface RunReply {
  runId: number;
  summary: { success: number; error: number };
  records: { objectLabel: string | null; result: string | null; messages?: unknown }[];
}

const tmp = mkdtempSync(join(tmpdir(), 'minke-rerun-'));
const dir = join(tmp, 'p');
const minke = (...args: string[]) => builtMinke(dir, args);

beforeAll(async () => {
  writeProject(dir, {
    config: "database: 'sqlite:data.db', sessions: [Flaky, Careful]",
    sessions: SESSIONS,
    sessionNames: ['Flaky', 'Careful'],
  });
  await prepareLocalHost(dir, {}, 'ok-1');
  for (const name of ['ok-2', 'fail-1', 'fail-2']) {
    const added = await minke('hosts', 'add', name, '--config', 'transport: local');
    expect(added.stderr).toBe('');
  }
}, 120_000);
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** The first run: two hosts fail. Returns its id. */
async function firstRun(...args: string[]): Promise<number> {
  const result = await minke('run', 'Flaky', '--all', '--json', ...args);
  expect(result.code).toBe(1);
  const reply = JSON.parse(result.stdout) as RunReply;
  expect(reply.summary).toMatchObject({ success: 2, error: 2 });
  return reply.runId;
}

describe('minke runs rerun', { timeout: 240_000 }, () => {
  it('re-runs the failed objects only, with the form data given again, on the project', async () => {
    const runId = await firstRun();
    const again = await minke('runs', 'rerun', String(runId), '--failed-only');
    expect(again.stderr).toBe('');
    expect(again.code).toBe(1);
    expect(again.stdout).toMatch(
      new RegExp(
        `^run \\d+ re-runs run ${runId} \\(the failed objects\\): Flaky on 2 object\\(s\\)\n`,
      ),
    );
    expect(again.stdout).toMatch(/^ERROR\s+fail-1 \[fail-1\] completed/m);
    expect(again.stdout).not.toMatch(/ok-1/);
    expect(again.stdout).toMatch(/^2 session\(s\): 0 success, 0 warning, 2 error$/m);

    const passing = await minke(
      ...['runs', 'rerun', String(runId), '--failed-only', '--data', 'pass=true', '--json'],
    );
    expect(passing.code).toBe(0);
    const reply = JSON.parse(passing.stdout) as RunReply;
    expect(reply.runId).toBeGreaterThan(runId + 1);
    expect(reply.summary).toMatchObject({ success: 2, error: 0 });
    expect(reply.records.map((r) => r.objectLabel).sort()).toEqual(['fail-1', 'fail-2']);
    // The stored form data with the value given again.
    expect((await newestRuns(1))[0]).toMatchObject({
      id: reply.runId,
      data: { nap: 0, pass: true },
    });
  });

  it("runs with the run's time limit, a new one, or none", async () => {
    const runId = await firstRun('--timeout', '10m');
    // The run's own limit again: a nap of 2 s fits in 10 min.
    const kept = await minke(
      ...['runs', 'rerun', String(runId), '--failed-only', '--data', 'pass=true', 'nap=2'],
    );
    expect(kept.stdout).toMatch(/^2 session\(s\): 2 success, 0 warning, 0 error$/m);
    // A shorter one: the nap is cut short and the message says whose limit it was.
    const cut = await minke(
      ...['runs', 'rerun', String(runId), '--data', 'pass=true', 'nap=20', '--timeout', '1s'],
    );
    expect(cut.code).toBe(1);
    expect(cut.stdout).toContain(
      "timed out: the run's limit is 1 s; it was stopped and its running command killed",
    );
    expect(cut.stdout).toMatch(/^4 session\(s\): 0 success, 0 warning, 4 error$/m);
    const none = await minke(
      ...['runs', 'rerun', String(runId), '--failed-only', '--data', 'pass=true', '--no-timeout'],
    );
    expect(none.code).toBe(0);
    expect((await newestRuns(4)).map((run) => run.timeoutMs)).toEqual([
      null,
      1000,
      600_000,
      600_000,
    ]);
    // The whole run's limit likewise: kept by a re-run, changed, or cleared.
    const wholeRun = await firstRun('--run-timeout', '1h');
    const rerun = (...more: string[]) =>
      minke('runs', 'rerun', String(wholeRun), '--failed-only', '--data', 'pass=true', ...more);
    expect((await rerun()).code).toBe(0);
    expect((await rerun('--run-timeout', '30m')).code).toBe(0);
    expect((await rerun('--no-run-timeout')).code).toBe(0);
    expect((await newestRuns(4)).map((run) => run.runTimeoutMs)).toEqual([
      null,
      1_800_000,
      3_600_000,
      3_600_000,
    ]);
  });

  it('says what is wrong: no such run, a bad id, a bad limit', async () => {
    const before = (await newestRuns(1))[0]?.id;
    const missing = await minke('runs', 'rerun', '9999');
    expect(missing).toMatchObject({ code: 2, stdout: '' });
    expect(missing.stderr).toBe('minke: error: run 9999 does not exist\n');
    const bad = await minke('runs', 'rerun', 'last');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('the run id "last": expected a whole number of at least 1');
    const limit = await minke('runs', 'rerun', '1', '--timeout', 'soon');
    expect(limit.code).toBe(2);
    expect(limit.stderr).toContain('--timeout: "soon" is not a time limit');
    // Refused before anything ran: no new run.
    expect((await newestRuns(1))[0]?.id).toBe(before);
  });

  it('says when the run had values never stored, unless a connection file gives them again', async () => {
    const { chmodSync, writeFileSync } = await import('node:fs');
    const file = join(tmp, 'sudo.yaml');
    writeFileSync(file, 'sudo: { password: never-shown }\n');
    chmodSync(file, 0o600);
    const first = await minke('run', 'Flaky', '--id', 'ok-1', '--connection-file', file, '--json');
    expect(first.code, first.stderr).toBe(0);
    const { runId } = JSON.parse(first.stdout) as RunReply;
    const bare = await minke('runs', 'rerun', String(runId));
    expect(bare.code).toBe(0);
    expect(bare.stderr).toBe(
      `minke: note: run ${runId} was started with values that are never stored: its connection values (a sudo password, say), if it had any, are not used again unless given with --connection-file\n`,
    );
    const given = await minke('runs', 'rerun', String(runId), '--connection-file', file);
    expect([given.code, given.stderr]).toEqual([0, '']);
    // A run without such values says nothing: the bare re-run had none.
    const bareId = /^run (\d+) re-runs/.exec(bare.stdout)?.[1] ?? 'none';
    const plain = await minke('runs', 'rerun', bareId);
    expect([plain.code, plain.stderr]).toEqual([0, '']);
  });

  it('asks before a session marked confirm runs again; --yes says yes', async () => {
    const first = await minke('run', 'Careful', '--id', 'ok-1', '--yes', '--json');
    const { runId } = JSON.parse(first.stdout) as RunReply;
    const asked = await minke('runs', 'rerun', String(runId));
    expect(asked).toMatchObject({ code: 2, stdout: '' });
    expect(asked.stderr).toContain(
      'Careful asks for a confirmation before it runs: run it at a terminal to be asked, or add --yes',
    );
    expect((await newestRuns(1))[0]?.id).toBe(runId);
    const yes = await minke('runs', 'rerun', String(runId), '--yes');
    expect(yes.code).toBe(0);
    expect(yes.stdout).toMatch(/^SUCCESS\s+ok-1/m);
  });

  it('re-runs through a server as the token user, with a new time limit', async () => {
    const runId = await firstRun();
    const user = await builtMinke(dir, ['users', 'create', 'rerunner', '--superuser'], {
      MINKE_PASSWORD: 'a long rerunner password',
    });
    expect(user.code, user.stderr).toBe(0);
    const token = (await minke('tokens', 'create', '--user', 'rerunner')).stdout.trim();
    expect(token).toMatch(/^mkt_/);
    const port = await freePort();
    const server: ChildProcess = spawnBuiltCli(
      ['--project', dir, 'start', '--port', String(port)],
      {
        env: { MINKE_MQTT_PORT: '0' },
      },
    );
    try {
      await printed(server, 'press Ctrl-C', 90_000);
      const remote = (...args: string[]) =>
        builtMinke(tmp, ['--server', `http://127.0.0.1:${port}`, ...args], {
          MINKE_TOKEN: token,
          MINKE_PROJECT: undefined,
        });
      const again = await remote(
        ...['runs', 'rerun', String(runId), '--failed-only', '--data', 'nap=20', '--timeout', '1s'],
      );
      expect(again.stderr).toBe('');
      expect(again.code).toBe(1);
      expect(again.stdout).toMatch(
        new RegExp(
          `^run \\d+ re-runs run ${runId} \\(the failed objects\\): Flaky on 2 object\\(s\\)\n`,
        ),
      );
      expect(again.stdout).toMatch(/^ERROR\s+fail-2 \[fail-2\] failed in \d+\.\d s$/m);
      expect(again.stdout).toContain("timed out: the run's limit is 1 s");
      expect(again.stdout).toMatch(/^2 session\(s\): 0 success, 0 warning, 2 error$/m);
      expect((await newestRuns(1))[0]).toMatchObject({ timeoutMs: 1000, username: 'rerunner' });
      const missing = await remote('runs', 'rerun', '9999');
      expect(missing.code).toBe(2);
      expect(missing.stderr).toContain('run 9999');
    } finally {
      server.kill('SIGTERM');
      await exited(server, 30_000);
    }
  });
});

/** The newest `count` runs, newest first, each with its form data, as the API has them. */
async function newestRuns(count: number): Promise<
  {
    id: number;
    timeoutMs: number | null;
    runTimeoutMs: number | null;
    username: string | null;
    data: unknown;
  }[]
> {
  const { openProject } = await import('../../runtime/open-project.js');
  const { loadProjectConfig } = await import('../../runtime/load-project.js');
  const { getRun, listRuns } = await import('../../runs/list-runs.js');
  const project = await openProject(await loadProjectConfig(dir));
  try {
    const page = await listRuns(project.database, { limit: count, offset: 0 });
    return await Promise.all(
      page.items.map(async (run) => ({
        ...run,
        data: (await getRun(project.database, run.id)).data,
      })),
    );
  } finally {
    await project.close();
  }
}
