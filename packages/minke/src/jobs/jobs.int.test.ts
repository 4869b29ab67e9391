import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobDetail, JobLaunched, RunDetail } from '@minke/contract';
import {
  builtMinke,
  exited,
  prepareLocalHost,
  printed,
  writeProject,
} from '../../test-support/project-folder.js';
import { freePort } from '../../test-support/redis.js';
import { runBuiltCli, spawnBuiltCli } from '../../test-support/run-cli.js';

/**
 * Saved jobs through the user's doors, in-process on SQLite: a project folder, the built `minke`
 * CLI and a built `minke start` server. The job's secret form field comes from the credentials
 * store at each launch (the session fails unless it gets the right value, and the value is in no
 * row and no reply); launches through the CLI, the API and the CLI against the server; what each
 * kind of user is refused; and ticks missed while the server was down, skipped or run once.
 */
const SESSIONS = `import { Session, SessionError } from 'minke';
import { z } from 'zod';
const form = z.object({ greeting: z.string(), password: z.string().meta({ secret: true }) });
export class Check extends Session<typeof form> {
  static override workOn = ['Host'];
  static override form = form;
  override async process() {
    if (this.data.password !== process.env['JOB_TEST_PW']) throw new SessionError('the password did not arrive');
    await this.c.run(\`echo \${this.data.greeting}\`);
  }
}
`;
const password = `pw-${randomBytes(8).toString('hex')}`;
const tmp = mkdtempSync(join(tmpdir(), 'minke-jobs-'));
const dir = join(tmp, 'p');
const env = { JOB_TEST_PW: password, MINKE_MQTT_PORT: '0' };
const minke = (...args: string[]) => builtMinke(dir, args, env, 120_000);
const tokens: Record<string, string> = {};
let server: ChildProcess | undefined;
let url = '';

async function startServer(): Promise<void> {
  const port = await freePort();
  server = spawnBuiltCli(['--project', dir, 'start', '--port', String(port)], { env });
  await printed(server, 'press Ctrl-C', 90_000);
  url = `http://127.0.0.1:${port}`;
}

async function stopServer(): Promise<void> {
  server?.kill('SIGTERM');
  if (server) await exited(server, 30_000);
  server = undefined;
}

async function api<T>(
  user: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: T }> {
  const response = await fetch(`${url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${tokens[user] ?? ''}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T };
}

/** Polls `check` (bounded) until it gives a value. */
async function until<T>(what: string, check: () => Promise<T | undefined>, ms = 60_000) {
  const end = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** A run's finish, to compare with the next run's creation (both to the millisecond). */
function finishedAt(run: RunDetail): number {
  return Date.parse(run.finishedAt ?? '');
}

async function finishedRun(user: string, runId: number): Promise<RunDetail> {
  return until(`run ${runId} to finish`, async () => {
    const run = await api<RunDetail>(user, 'GET', `/api/runs/${runId}`);
    return run.body.state === 'finished' ? run.body : undefined;
  });
}

beforeAll(async () => {
  writeProject(dir, {
    config: "database: 'sqlite:data.db', sessions: [Check]",
    sessions: SESSIONS,
    sessionNames: ['Check'],
  });
  await prepareLocalHost(dir, env);
  const added = await runBuiltCli(
    ['--project', dir, 'credentials', 'add', 'app-pw', '--type', 'password'],
    { env: { ...env, MINKE_SECRET: password } },
  );
  expect(added.stderr).toBe('');
  const users: [string, string[]][] = [
    ['boss', ['--superuser']],
    ['ops', []],
    ['viewer', []],
    ['editor', []],
    ['nobody', []],
  ];
  for (const [name, flags] of users) {
    const created = await runBuiltCli(['--project', dir, 'users', 'create', name, ...flags], {
      env: { ...env, MINKE_PASSWORD: `${name}-password-123` },
    });
    expect(created.code, created.stderr).toBe(0);
  }
  const grants: [string, string[]][] = [
    ['ops', ['view_jobs', 'run_check', 'view_host']],
    ['viewer', ['view_jobs', 'view_host']],
    ['editor', ['manage_jobs', 'run_check', 'view_host']],
  ];
  for (const [name, permissions] of grants)
    expect((await minke('users', 'grant', name, ...permissions)).code).toBe(0);
  for (const [name] of users) {
    const token = await minke('tokens', 'create', '--user', name);
    tokens[name] = token.stdout.trim();
  }
}, 240_000);

afterAll(async () => {
  await stopServer();
  rmSync(tmp, { recursive: true, force: true });
});

describe('saved jobs, in-process on SQLite', { timeout: 240_000 }, () => {
  it('saves a job from the CLI and launches it with its secret from the credentials store', async () => {
    const created = await minke(
      ...['jobs', 'create', 'nightly', '--session', 'Check', '--where', 'name = local1'],
      ...['--data', 'greeting=hello', '--secret', 'password=credential:app-pw'],
      ...['--cron', '0 2 * * *', '--tz', 'Europe/Berlin', '--disabled', '--timeout', '10m'],
      ...['--run-timeout', '2h'],
    );
    expect(created.stderr).toBe('');
    expect(created.stdout).toContain('saved job nightly (Check on Host)');

    const run = await minke('jobs', 'run', 'nightly');
    expect(run.stderr).toBe('');
    expect(run.stdout).toMatch(/^launched job nightly: run \d+ of Check on 1 object\(s\)$/m);
    expect(run.stdout).toMatch(/^run \d+: 1 success, 0 warning, 0 error$/m);
    expect(run.code).toBe(0);

    const shown = JSON.parse(
      (await minke('jobs', 'show', 'nightly', '--json')).stdout,
    ) as JobDetail;
    expect(shown).toMatchObject({
      data: { greeting: 'hello' },
      timeoutMs: 600_000,
      runTimeoutMs: 7_200_000,
      secrets: { password: { credential: 'app-pw' } },
      schedule: { cron: '0 2 * * *', timezone: 'Europe/Berlin', enabled: false, nextTimes: [] },
    });
    expect((await minke('jobs', 'show', 'nightly')).stdout).toContain(
      'time limit: 10 min per object\nrun limit: 2 h\n',
    );
    // The secret is in no row of the database file (only sealed in the credentials store).
    expect(readFileSync(join(dir, 'data.db')).includes(password)).toBe(false);

    // A secret in clear, a schedule that would have to ask, a bad cron: refused, nothing saved.
    const clear = await minke('jobs', 'create', 'x', '--session', 'Check', '--all');
    expect(clear.code).not.toBe(0);
    const inClear = await minke(
      ...['jobs', 'create', 'x', '--session', 'Check', '--all', '--data', `password=${password}`],
    );
    expect(inClear).toMatchObject({ code: 2 });
    expect(inClear.stderr).toContain(
      'password is a secret field: it is never stored in clear; take it from a credential or ask for it at launch',
    );
    const asks = await minke(
      ...['jobs', 'create', 'x', '--session', 'Check', '--all', '--data', 'greeting=hi'],
      ...['--secret', 'password=ask', '--cron', '0 * * * *'],
    );
    expect(asks.stderr).toContain(
      'a scheduled job cannot ask for password at launch: take it from a credential',
    );
    const badCron = await minke(
      ...['jobs', 'create', 'x', '--session', 'Check', '--all', '--data', 'greeting=hi'],
      ...['--secret', 'password=credential:app-pw', '--cron', '61 * * * *'],
    );
    expect(badCron.stderr).toContain('cron expression "61 * * * *"');
    expect((await minke('jobs', 'list')).stdout).not.toMatch(/^x\s/m);
  });

  it('launches through the API and the remote CLI, refusing who may not, and audits changes', async () => {
    await startServer();
    const job = (await api<JobDetail[]>('ops', 'GET', '/api/jobs')).body.find(
      (j) => j.name === 'nightly',
    );
    if (!job) throw new Error('nightly is not listed');

    const launched = await api<JobLaunched>('ops', 'POST', `/api/jobs/${job.id}/launch`, {});
    expect(launched.status).toBe(201);
    expect(launched.body).toMatchObject({ jobId: job.id, session: 'Check', objects: 1 });
    const run = await finishedRun('ops', launched.body.runId);
    expect(run.summary).toMatchObject({ success: 1, error: 0 });
    expect(run.jobId).toBe(job.id);
    // The job's time limits are the launch's.
    expect(run.timeoutMs).toBe(600_000);
    expect(run.runTimeoutMs).toBe(7_200_000);
    expect(JSON.stringify(run)).not.toContain(password);
    const listed = await api<{ items: { id: number; jobId: number | null }[] }>(
      'ops',
      'GET',
      `/api/runs?job=${job.id}`,
    );
    expect(listed.body.items.map((r) => r.id)).toContain(launched.body.runId);

    // The CLI against the server, as the token's user.
    const remote = await runBuiltCli(['--server', url, 'jobs', 'run', 'nightly'], {
      env: { MINKE_TOKEN: tokens['ops'] },
    });
    expect(remote.stderr).toBe('');
    expect(remote.stdout).toMatch(/^launched job nightly: run (\d+) of Check on 1 object\(s\)$/m);
    const remoteRun = Number(/run (\d+)/.exec(remote.stdout)?.[1]);
    expect((await finishedRun('ops', remoteRun)).summary).toMatchObject({ success: 1 });

    // Launch data is only for fields the job asks for.
    const extra = await api<{ error: { message: string } }>(
      'ops',
      'POST',
      `/api/jobs/${job.id}/launch`,
      { data: { greeting: 'other' } },
    );
    expect(extra.status).toBe(400);
    expect(extra.body.error.message).toBe(
      'job nightly does not ask for greeting at launch: change the job to change its data',
    );

    // Refusals: see without the session's run permission, launch without; list without view_jobs;
    // save without manage_jobs; save with a credential one may not use.
    const viewerLaunch = await api<{ error: { message: string } }>(
      'viewer',
      'POST',
      `/api/jobs/${job.id}/launch`,
      {},
    );
    expect(viewerLaunch.status).toBe(403);
    expect(viewerLaunch.body.error.message).toBe(
      'you may not run Check: it needs the permission(s) run_check',
    );
    expect((await api('viewer', 'GET', `/api/jobs/${job.id}`)).status).toBe(200);
    const nobody = await api<{ error: { message: string } }>('nobody', 'GET', '/api/jobs');
    expect(nobody.status).toBe(403);
    expect(nobody.body.error.message).toBe(
      'you may not see saved jobs: it needs the permission view_jobs',
    );
    expect((await api('nobody', 'POST', `/api/jobs/${job.id}/launch`, {})).status).toBe(403);
    const body = {
      name: 'weekly',
      session: 'Check',
      selection: { kind: 'all' },
      data: { greeting: 'hi' },
      secrets: { password: { credential: 'app-pw' } },
    };
    const opsSaves = await api<{ error: { message: string } }>('ops', 'POST', '/api/jobs', body);
    expect(opsSaves.status).toBe(403);
    expect(opsSaves.body.error.message).toBe(
      'you may not create or change saved jobs: it needs the permission manage_jobs',
    );
    const editorSaves = await api<{ error: { message: string } }>(
      'editor',
      'POST',
      '/api/jobs',
      body,
    );
    expect(editorSaves.status).toBe(403);
    expect(editorSaves.body.error.message).toBe(
      'you may not use credential app-pw: it needs the permission use_credential:app-pw',
    );
    const asked = await api<JobDetail>('editor', 'POST', '/api/jobs', {
      ...body,
      secrets: { password: 'ask' },
    });
    expect(asked.status).toBe(201);
    const missing = await api<{ error: { message: string } }>(
      'ops',
      'POST',
      `/api/jobs/${asked.body.id}/launch`,
      {},
    );
    expect(missing.status).toBe(400);
    expect(missing.body.error.message).toBe('job weekly asks for password at launch');
    const given = await api<JobLaunched>('ops', 'POST', `/api/jobs/${asked.body.id}/launch`, {
      data: { password },
    });
    expect(given.status).toBe(201);
    expect((await finishedRun('ops', given.body.runId)).summary).toMatchObject({ success: 1 });

    // Changes are in the audit log, by who made them.
    const audit = await minke('audit', '--action', 'job', '--json');
    const rows = (
      JSON.parse(audit.stdout) as { items: { action: string; actor: { name: string } }[] }
    ).items;
    expect(rows.map((r) => `${r.action} ${r.actor.name}`)).toEqual(
      expect.arrayContaining(['job.create editor', 'job.create operator (CLI)']),
    );
    expect(audit.stdout).not.toContain(password);
  });

  it('edits a job: the fields given change, audited, for who may manage jobs', async () => {
    const job = (await api<JobDetail[]>('editor', 'GET', '/api/jobs')).body.find(
      (j) => j.name === 'weekly',
    );
    if (!job) throw new Error('weekly is not listed');
    const change = {
      description: 'every week',
      batch: { size: '50%', pauseSeconds: 5, maxFail: 1 },
      timeoutMs: 300_000,
    };
    const refused = await api('ops', 'PATCH', `/api/jobs/${job.id}`, change);
    expect(refused.status).toBe(403);
    const edited = await api<JobDetail>('editor', 'PATCH', `/api/jobs/${job.id}`, change);
    expect(edited.status, JSON.stringify(edited.body)).toBe(200);
    expect(edited.body).toMatchObject({
      name: 'weekly',
      description: 'every week',
      data: { greeting: 'hi' },
      secrets: { password: 'ask' },
      batch: { size: '50%', pauseSeconds: 5, maxFail: 1 },
      timeoutMs: 300_000,
      schedule: null,
    });
    // A schedule needs the secret from a credential (nobody answers a tick), which the editor
    // may not use; the superuser may.
    const schedule = { cron: '0 3 * * 1', timezone: 'Europe/Berlin', enabled: false };
    const asks = await api<{ error: { message: string } }>(
      'editor',
      'PATCH',
      `/api/jobs/${job.id}`,
      { schedule },
    );
    expect(asks.status).toBe(400);
    expect(asks.body.error.message).toBe(
      'a scheduled job cannot ask for password at launch: take it from a credential',
    );
    const off = await api<JobDetail>('boss', 'PATCH', `/api/jobs/${job.id}`, {
      schedule,
      secrets: { password: { credential: 'app-pw' } },
    });
    expect(off.status, JSON.stringify(off.body)).toBe(200);
    expect(off.body.schedule).toMatchObject({ cron: '0 3 * * 1', enabled: false, nextTimes: [] });
    // Switched on, it shows its next five times: Mondays, 03:00 in Berlin.
    const on = await api<JobDetail>('boss', 'PATCH', `/api/jobs/${job.id}`, {
      schedule: { ...schedule, enabled: true },
    });
    expect(on.body.schedule?.nextTimes).toHaveLength(5);
    for (const time of on.body.schedule?.nextTimes ?? []) {
      const berlin = new Date(time).toLocaleString('en-GB', {
        timeZone: 'Europe/Berlin',
        weekday: 'short',
        hour: '2-digit',
        minute: '2-digit',
      });
      expect(berlin).toBe('Mon 03:00');
    }
    // A rule must name a channel of the project (this one has none).
    const rule = await api<{ error: { message: string; fields?: Record<string, string> } }>(
      'boss',
      'PATCH',
      `/api/jobs/${job.id}`,
      { notify: [{ on: ['run.failed'], channel: 'nowhere' }] },
    );
    expect(rule.status).toBe(400);
    expect(rule.body.error.message).toBe(
      "notify[0]: no notification channel named nowhere in the project's config",
    );
    expect(rule.body.error.fields).toEqual({ 'notify.0.channel': 'no such channel' });
    expect((await api('boss', 'POST', `/api/jobs/${job.id}/disable`)).status).toBe(200);

    const audit = await minke('audit', '--action', 'job.update', '--json');
    const rows = (
      JSON.parse(audit.stdout) as {
        items: { action: string; actor: { name: string }; before: unknown; after: unknown }[];
      }
    ).items;
    expect(rows.map((r) => `${r.action} ${r.actor.name}`)).toEqual(
      expect.arrayContaining(['job.update editor', 'job.update boss']),
    );
    const byEditor = rows.find((r) => r.actor.name === 'editor');
    expect(byEditor?.before).toMatchObject({ batch: null, timeoutMs: null, schedule: null });
    expect(byEditor?.after).toMatchObject({
      batch: { size: '50%' },
      timeoutMs: 300_000,
      schedule: null,
    });
  });

  it('handles ticks missed while the server was down: skipped, or run once', async () => {
    // Every two seconds; the server fires them, then stops for a while and comes back.
    const every = { cron: '*/2 * * * * *', timezone: 'UTC' };
    const ids: Record<string, number> = {};
    for (const missed of ['skip', 'run-once'] as const) {
      const saved = await api<JobDetail>('boss', 'POST', '/api/jobs', {
        name: `tick-${missed}`,
        session: 'Check',
        selection: { kind: 'where', where: 'name = local1' },
        data: { greeting: missed },
        secrets: { password: { credential: 'app-pw' } },
        schedule: { ...every, missed },
      });
      expect(saved.status).toBe(201);
      expect(saved.body.schedule?.nextTimes).toHaveLength(5);
      ids[missed] = saved.body.id;
    }
    const ticks = (name: string) =>
      api<JobDetail>('boss', 'GET', `/api/jobs/${ids[name]}`).then((r) => r.body.ticks);
    for (const name of ['skip', 'run-once'])
      await until(`a launched tick of tick-${name}`, async () =>
        (await ticks(name)).some((t) => t.outcome === 'launched' && t.runId !== null)
          ? true
          : undefined,
      );

    await stopServer();
    await new Promise((resolve) => setTimeout(resolve, 7000)); // several ticks go by
    await startServer();

    const skipped = await until('the missed ticks of tick-skip', async () =>
      (await ticks('skip')).find((t) => t.outcome === 'missed'),
    );
    expect(skipped.note).toMatch(/^missed \d+ tick\(s\) while Minke was down: skipped$/);
    expect(skipped.runId).toBeNull();
    const once = await until('the missed ticks of tick-run-once', async () =>
      (await ticks('run-once')).find((t) => t.outcome === 'missed'),
    );
    expect(once.note).toMatch(/^missed \d+ tick\(s\) while Minke was down: run once now$/);
    // The run-once launch is its own tick note, at the newest missed tick, with its run.
    const ranOnce = (await ticks('run-once')).find(
      (t) => t.tickAt === once.tickAt && t.outcome === 'launched',
    );
    expect(ranOnce?.note).toMatch(/^launched for the missed ticks: run \d+ on 1 object\(s\)$/);
    expect((await ticks('skip')).filter((t) => t.tickAt === skipped.tickAt)).toHaveLength(1);

    // Each tick is noted once, whatever happened to it.
    for (const name of ['skip', 'run-once']) {
      const all = await ticks(name);
      const launches = all.filter((t) => t.outcome === 'launched').map((t) => t.tickAt);
      expect(new Set(launches).size).toBe(launches.length);
      expect((await api('boss', 'POST', `/api/jobs/${ids[name]}/disable`)).status).toBe(200);
    }
    const upcoming = await minke('schedules', '--json');
    const items = (JSON.parse(upcoming.stdout) as { items: { job: string }[] }).items;
    expect(items.some((t) => t.job.startsWith('tick-'))).toBe(false);
  });

  it('skips a tick while the last run still goes, with a note, or queues it until that run ends', async () => {
    // Runs of about three seconds on a schedule of every two: each tick finds a run going. Each
    // job has a host of its own: on one shared host, whichever run came second would find the
    // host busy and end at once, and its next tick would find nothing going (a race that a
    // loaded machine can lose for a minute).
    const added = await minke('hosts', 'add', 'local2', '--config', 'transport: local');
    expect(added.code, added.stderr).toBe(0);
    const hostOf = { skip: 'local1', queue: 'local2' };
    const ids: Record<string, number> = {};
    for (const overlap of ['skip', 'queue'] as const) {
      const saved = await api<JobDetail>('boss', 'POST', '/api/jobs', {
        name: `slow-${overlap}`,
        session: 'Check',
        selection: { kind: 'where', where: `name = ${hostOf[overlap]}` },
        data: { greeting: `${overlap}; sleep 3` },
        secrets: { password: { credential: 'app-pw' } },
        schedule: { cron: '*/2 * * * * *', timezone: 'UTC', overlap },
      });
      expect(saved.status).toBe(201);
      ids[overlap] = saved.body.id;
    }
    const ticks = (overlap: string) =>
      api<JobDetail>('boss', 'GET', `/api/jobs/${ids[overlap]}`).then((r) => r.body.ticks);
    const skipped = await until('a skipped tick of slow-skip', async () =>
      (await ticks('skip')).find((t) => t.outcome === 'skipped'),
    );
    const queued = await until('a queued tick of slow-queue launched', async () => {
      const all = await ticks('queue');
      for (const tick of all.filter((t) => t.outcome === 'queued')) {
        const launched = all.find((t) => t.tickAt === tick.tickAt && t.outcome === 'launched');
        if (launched) return { tick, launched };
      }
      return undefined;
    });
    for (const overlap of ['skip', 'queue'])
      expect((await api('boss', 'POST', `/api/jobs/${ids[overlap]}/disable`)).status).toBe(200);

    expect(skipped.note).toMatch(/^skipped: run \d+ of this job is still going$/);
    expect(skipped.runId).toBeNull();
    // The queued tick waited for the run it names, and launched only once that run had ended.
    const waitedFor = Number(/waits for run (\d+) of this job to end$/.exec(queued.tick.note)?.[1]);
    expect(waitedFor).toBeGreaterThan(0);
    const previous = await finishedRun('boss', waitedFor);
    const next = await api<RunDetail>('boss', 'GET', `/api/runs/${queued.launched.runId}`);
    expect(Date.parse(next.body.createdAt)).toBeGreaterThanOrEqual(finishedAt(previous));
    expect(next.body.jobId).toBe(ids['queue']);
    // Ticks queued behind the same run launch one at a time: the job's runs never overlap.
    const runs = await api<{ items: RunDetail[] }>('boss', 'GET', `/api/runs?job=${ids['queue']}`);
    const ended = await Promise.all(runs.body.items.map((run) => finishedRun('boss', run.id)));
    const byStart = ended.sort((a, b) => Date.parse(a.createdAt) - Date.parse(b.createdAt));
    for (const [i, run] of byStart.entries()) {
      const before = byStart[i - 1];
      if (before) expect(Date.parse(run.createdAt)).toBeGreaterThanOrEqual(finishedAt(before));
    }
  });
});
