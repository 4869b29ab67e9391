import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  startApiHarness,
  type ApiHarness,
  type Caller,
} from '../../../test-support/api-harness.js';
import { sqliteBackend } from '../../../test-support/databases.js';
import { runCli, spawnCli } from '../../../test-support/run-cli.js';
import { eventSeen, runFinished } from '../../../test-support/run-waiter.js';
import { UserAdmin } from '../../operations/user-admin.js';

// A folder without a project: with --server the CLI needs none.
const tmp = mkdtempSync(join(tmpdir(), 'minke-remote-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

interface RunDetail {
  id: number;
  username: string | null;
  sessions: { id: number; processState: string; result: string | null }[];
}

/** A port nothing listens on: taken from the system, then let go. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('the CLI against a remote server (real HTTP on 127.0.0.1)', () => {
  let h: ApiHarness;
  let url: string;
  const tokens: Record<string, string> = {};
  let root: Caller;
  let runner: Caller;
  let nginx: number;

  /** `minke ARGS` as a user would type it, the token in the environment, never in argv. */
  const minke = (token: string | undefined, ...args: string[]) =>
    runCli(args, {
      cwd: tmp,
      env: { MINKE_TOKEN: token, MINKE_SERVER_URL: undefined, MINKE_PROJECT: undefined },
      timeoutMs: 60_000,
    });
  const asUser = (name: string, ...args: string[]) => minke(tokens[name], '--server', url, ...args);

  beforeAll(async () => {
    h = await startApiHarness(sqliteBackend());
    await h.user('root', { superuser: true });
    await h.user('runner', {
      permissions: ['view_host', 'view_service', 'run_hello', 'run_sleepy', 'run_count'],
    });
    await h.user('viewer', { permissions: ['view_host', 'view_service'] });
    for (const name of ['root', 'runner', 'viewer']) tokens[name] = (await h.withToken(name)).token;
    root = await h.withToken('root');
    runner = await h.withToken('runner');
    const local = await h.project.hosts.add({ name: 'local', config: { transport: 'local' } });
    await h.project.hosts.add({ name: 'off', config: { transport: 'local' }, disabled: true });
    nginx = (await h.project.records.create('Service', { host: local.id, name: 'nginx' })).id;
    url = await h.app.listen({ host: '127.0.0.1', port: 0 });
  });
  afterAll(() => h.close());

  it('runs a session as the token user, prints each outcome and the summary, exit 0', async () => {
    const result = await asUser('runner', 'run', 'Hello', '--model', 'Host', '--id', 'local');
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^SUCCESS\s+local \[local\] completed in \d+\.\d s$/m);
    expect(result.stdout).toContain('1 session(s): 1 success, 0 warning, 0 error');
    // The run is the runner's, made through the API: it is in their list of runs.
    const runs = (await runner.get('/api/runs')).json<{ items: { username: string }[] }>();
    expect(runs.items[0]?.username).toBe('runner');
  });

  it('types --data by the form the server describes', async () => {
    const result = await asUser(
      'runner',
      'run',
      'Count',
      '--id',
      String(nginx),
      '--data',
      'count=3',
      '--json',
    );
    expect(result.code).toBe(0);
    const outcome = JSON.parse(result.stdout) as {
      summary: { success: number };
      records: { processState: string; username: string }[];
    };
    expect(outcome.summary.success).toBe(1);
    expect(outcome.records).toEqual([
      expect.objectContaining({ processState: 'completed', username: 'runner' }),
    ]);
  });

  it('exits 1 when a session is canceled, and says why (canceled, not in error)', async () => {
    const result = await asUser('runner', 'run', 'Hello', '--model', 'Host', '--id', 'off');
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^STOPPED\s+off \[off\] canceled$/m);
    expect(result.stdout).toMatch(/error\s*: .*disabled/);
    expect(result.stdout).toContain(
      '1 session(s): 0 success, 0 warning, 0 error, 1 stopped or canceled',
    );
  });

  it('refuses a user without the run permission: the 403 message and exit 1', async () => {
    const result = await asUser('viewer', 'run', 'Hello', '--model', 'Host', '--id', 'local');
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /^minke: error: you may not run session Hello \(.*run_hello.*\)$/m,
    );
    expect(result.stdout).toBe('');
  });

  it('says when the token is refused, missing, or the server cannot be reached', async () => {
    const refused = await minke('not-a-token', '--server', url, 'history');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`minke: error: the token was refused by ${url}`);

    const missing = await minke(undefined, '--server', url, 'history');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('no API token');
    // Named by the environment, a server also takes `tokens create`: the message says how to
    // make the first token on the project instead of sending the user round in a circle.
    const first = await runCli(['tokens', 'create', '--user', 'root'], {
      cwd: tmp,
      env: { MINKE_SERVER_URL: url, MINKE_TOKEN: undefined, MINKE_PROJECT: undefined },
    });
    expect([first.code, first.stderr]).toEqual([
      2,
      `minke: error: no API token for ${url} (MINKE_SERVER_URL): set MINKE_TOKEN or use --token-file FILE; a token is made on the server's project with \`minke tokens create --user NAME\` with MINKE_SERVER_URL unset\n`,
    ]);

    const port = await closedPort();
    const away = await minke(tokens['runner'], '--server', `http://127.0.0.1:${port}`, 'history');
    expect(away.code).toBe(1);
    expect(away.stderr).toBe(
      `minke: error: cannot reach the Minke server at http://127.0.0.1:${port}: connection refused\n`,
    );

    const bad = await minke(tokens['runner'], '--server', 'ftp://example.test', 'history');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('use an http:// or https:// URL');
  });

  it('reads the token from --token-file or MINKE_TOKEN, the server from MINKE_SERVER_URL', async () => {
    const file = join(tmp, 'token');
    writeFileSync(file, `${tokens['runner']}\n`, { mode: 0o600 });
    const fromFile = await minke(
      undefined,
      '--server',
      url,
      '--token-file',
      file,
      'sessions',
      'list',
    );
    expect(fromFile.code).toBe(0);
    expect(fromFile.stdout).toMatch(/^Hello\b/m);

    const fromEnv = await runCli(['sessions', 'list', '--json'], {
      cwd: tmp,
      env: { MINKE_SERVER_URL: url, MINKE_TOKEN: tokens['runner'] },
    });
    expect(fromEnv.code).toBe(0);
    const listed = JSON.parse(fromEnv.stdout) as { name: string; timeoutMs: number | null }[];
    // With each one's time limit, from the server's catalog.
    expect(listed.map((s) => [s.name, s.timeoutMs]).sort()).toEqual([
      ['Count', null],
      ['Hello', null],
      ['Sleepy', 120_000],
    ]);
    const table = await asUser('runner', 'sessions', 'list', '--model', 'Host');
    expect(table.stdout).toMatch(/^Sleepy\s.*\s2 min$/m);

    const noFile = await minke(
      undefined,
      '--server',
      url,
      '--token-file',
      join(tmp, 'nope'),
      'history',
    );
    expect(noFile.code).toBe(2);
    expect(noFile.stderr).toContain('--token-file');
    expect(noFile.stderr).toContain('no such file');
  });

  it('lists only the sessions the token user may run', async () => {
    const viewer = await asUser('viewer', 'sessions', 'list');
    expect(viewer.code).toBe(0);
    expect(viewer.stdout.trim()).toBe('no sessions');
    const onService = await asUser('runner', 'sessions', 'list', '--model', 'Service', '--json');
    const listed = JSON.parse(onService.stdout) as {
      name: string;
      permissions: string[];
      runPermission: string | null;
    }[];
    // With the permissions each declares, as the project's own list has them.
    expect(listed.map((s) => [s.name, s.permissions, s.runPermission])).toEqual([
      ['Count', ['run_count'], 'run_count'],
      ['Hello', ['run_hello'], 'run_hello'],
    ]);
    const table = await asUser('runner', 'sessions', 'list', '--model', 'Service');
    expect(table.stdout).toMatch(/^Hello\s.*\srun_hello\s/m);
  });

  it("shows history through the API: one's own records, everyone's for superusers", async () => {
    const started = await root.post('/api/runs', {
      session: 'Hello',
      model: 'Host',
      ids: ['local'],
    });
    const rootRun = started.json<{ id: number }>().id;
    await runFinished(h.runtime.bus, rootRun, 30_000);

    const mine = await asUser('runner', 'history', '--json', '--limit', '100');
    expect(mine.code).toBe(0);
    const items = (JSON.parse(mine.stdout) as { items: { runId: number; username: string }[] })
      .items;
    expect(items.length).toBeGreaterThan(0);
    expect(items.every((item) => item.username === 'runner')).toBe(true);
    expect(items.some((item) => item.runId === rootRun)).toBe(false);

    const all = await asUser('root', 'history', '--session', 'Hello', '--user', 'root');
    expect(all.code).toBe(0);
    expect(all.stdout).toMatch(
      /^ID\s+WHEN\s+SESSION\s+OBJECT\s+HOST\s+USER\s+STATE\s+RESULT\s+TIME$/m,
    );
    expect(all.stdout).toMatch(/Hello\s+local \(Host:\d+\)\s+local\s+root\s+completed\s+success/);

    const others = await asUser('runner', 'history', '--user', 'root');
    expect(others.code).toBe(1);
    expect(others.stderr).toContain("only superusers may see other users' session records");

    const record = (await root.get(`/api/session-records?run=${rootRun}`)).json<{
      items: { id: number }[];
    }>().items[0]?.id;
    const shown = await asUser('root', 'history', 'show', String(record));
    expect(shown.code).toBe(0);
    expect(shown.stdout).toMatch(/^user:\s+root$/m);
    expect(shown.stdout).toContain('$ echo hello local');
    const hidden = await asUser('runner', 'history', 'show', String(record));
    // An id the user cannot see is one that does not exist for them: a usage mistake.
    expect(hidden.code).toBe(2);
    expect(hidden.stderr).toContain(`session record ${record} does not exist`);
  });

  it('stops a run through the server: first stop, then kill', async () => {
    const runId = (
      await runner.post('/api/runs', { session: 'Sleepy', model: 'Host', ids: ['local'] })
    ).json<{ id: number }>().id;
    await eventSeen(h.runtime.bus, runId, (e) => e.type === 'command.started');

    const other = await asUser('viewer', 'runs', 'stop', String(runId));
    expect(other.code).toBe(2);
    expect(other.stderr).toContain(`run ${runId} does not exist`);

    const first = await asUser('runner', 'runs', 'stop', String(runId));
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/^session record \d+: stopping$/m);
    const second = await asUser('runner', 'runs', 'stop', String(runId));
    expect(second.stdout).toMatch(/^session record \d+: killing$/m);
    await runFinished(h.runtime.bus, runId, 30_000);
    const detail = (await runner.get(`/api/runs/${runId}`)).json<RunDetail>();
    expect(detail.sessions[0]?.processState).toBe('stopped');

    const local = await minke(undefined, 'runs', 'stop', String(runId));
    expect(local.code).toBe(2);
    expect(local.stderr).toContain('add --server URL');
  });

  it('stops the run it follows on Ctrl-C, through the server', async () => {
    const child = spawnCli(['--server', url, 'run', 'Sleepy', '--model', 'Host', '--id', 'local'], {
      cwd: tmp,
      env: { MINKE_TOKEN: tokens['runner'], MINKE_SERVER_URL: undefined },
    });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    const running = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => {
        unsubscribe();
        reject(new Error('the CLI did not start Sleepy within 30 s'));
      }, 30_000);
      const unsubscribe = h.runtime.bus.subscribe((event) => {
        if (event.type !== 'command.started' || !event.command.includes('minke-api-sleepy')) return;
        clearTimeout(timer);
        unsubscribe();
        resolve(event.runId);
      });
    });
    child.kill('SIGINT');
    await eventSeen(
      h.runtime.bus,
      running,
      (e) => e.type === 'session.state' && e.processState === 'stopping',
    );
    child.kill('SIGINT');
    expect(await exited).toBe(1);
    expect(stdout).toMatch(/^STOPPED\s+local \[local\] stopped in \d+\.\d s$/m);
    expect(stdout).toContain('1 session(s): 0 success, 0 warning, 0 error, 1 stopped or canceled');
  }, 60_000);

  it('dispatches through the server only with change_host, and says when it runs no agents', async () => {
    const viewer = await asUser('viewer', 'dispatch', 'os', '--all', '--wait');
    expect(viewer.code).toBe(1);
    expect(viewer.stderr).toMatch(/^minke: error: .*change_host/);
    // This server runs no agent services: nothing would deliver the request, so none is made.
    const rootTry = await asUser('root', 'dispatch', 'os', '--node', 'local');
    expect(rootTry.code).toBe(1);
    expect(rootTry.stderr).toContain('the agent services are not running in this server');
    const usage = await asUser('root', 'dispatch', 'os');
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('choose the nodes with exactly one of --node, --all, --where');
  });

  it('manages users through the server as a superuser; others are refused', async () => {
    const withPassword = (name: string, ...args: string[]) =>
      runCli(['--server', url, ...args], {
        cwd: tmp,
        env: {
          MINKE_TOKEN: tokens[name],
          MINKE_PASSWORD: 'a password long enough',
          MINKE_SERVER_URL: undefined,
          MINKE_PROJECT: undefined,
        },
        timeoutMs: 60_000,
      });
    const created = await withPassword('root', 'users', 'create', 'dave');
    expect([created.stderr, created.stdout, created.code]).toEqual(['', 'created user dave\n', 0]);
    expect(await h.project.users.authenticate('dave', 'a password long enough')).toMatchObject({
      username: 'dave',
    });
    const table = await asUser('root', 'users', 'list');
    expect(table.stdout).toMatch(/^USERNAME\s+SUPERUSER\s+ACTIVE\s+CREATED$/m);
    expect(table.stdout).toMatch(/^dave\s+yes\s+\S+$/m);
    // The JSON the project's `users list --json` prints (the same account administration).
    const listed = JSON.parse((await asUser('root', 'users', 'list', '--json')).stdout) as unknown;
    expect(listed).toEqual(
      JSON.parse(JSON.stringify(await new UserAdmin(h.project.database).list())) as unknown,
    );

    const granted = await asUser('root', 'users', 'grant', 'dave', 'run_hello', 'view_host');
    expect(granted.stdout).toBe('granted run_hello, view_host to dave\n');
    const revoked = await asUser('root', 'users', 'revoke', 'dave', 'run_hello');
    expect(revoked.stdout).toBe('revoked run_hello from dave\n');
    const [dave] = (await root.get('/api/users?q=dave')).json<{ permissions: string[] }[]>();
    expect(dave?.permissions).toEqual(['view_host']);

    const unknown = await asUser('root', 'users', 'grant', 'nobody', 'view_host');
    expect([unknown.code, unknown.stderr]).toEqual([
      2,
      'minke: error: user nobody does not exist\n',
    ]);
    const viewer = await withPassword('viewer', 'users', 'create', 'eve');
    expect(viewer.code).toBe(1);
    expect(viewer.stderr).toMatch(/^minke: error: .*superuser/);
    const firstAdmin = await asUser('root', 'users', 'create', 'x', '--first-admin');
    expect([firstAdmin.code, firstAdmin.stderr]).toEqual([
      2,
      'minke: error: --first-admin works on the local project only\n',
    ]);

    // The codenames to grant, as the server knows them: the same list as the project's.
    const codenames = await asUser('root', 'permissions', 'list', '--json');
    expect(JSON.parse(codenames.stdout)).toEqual(await h.project.permissions.list());
    expect((await asUser('viewer', 'permissions', 'list')).code).toBe(1);

    const deleted = await asUser('root', 'users', 'delete', 'dave');
    expect(deleted.stdout).toBe('deleted user dave\n');
    await expect(h.project.users.get('dave')).rejects.toThrow('user dave does not exist');
  });

  it('lists and clears host leases through the server, for superusers only', async () => {
    // A lease its worker stopped renewing, as a dead worker leaves it.
    const local = await h.project.hosts.get('local');
    const expired = new Date(Date.now() - 120_000).toISOString().replace('T', ' ').slice(0, 23);
    await sql`INSERT INTO minke_host_leases (host_id, owner, run_id, expires_at) VALUES (${local.id}, 'dead-worker:99', NULL, ${expired})`.execute(
      h.project.database.db,
    );
    const listed = await asUser('root', 'hosts', 'leases');
    expect(listed.stderr).toBe('');
    expect(listed.stdout).toMatch(
      /^HOST\s+OWNER\s+RUN\s+SESSION\s+SINCE\s+EXPIRES\nlocal\s+dead-worker:99\s+\S+ \(expired\)\n$/,
    );
    const viewer = await asUser('viewer', 'hosts', 'leases');
    expect(viewer.code).toBe(1);
    expect(viewer.stderr).toMatch(/^minke: error: .*superuser/);
    const unlocked = await asUser('root', 'hosts', 'unlock', 'local');
    expect(unlocked.stdout).toMatch(/^unlocked local \(lease of dead-worker:99, expired at /);
    expect((await asUser('root', 'hosts', 'leases')).stdout).toBe('no host is locked\n');
    const unknown = await asUser('root', 'hosts', 'unlock', 'nope');
    expect(unknown.stderr).toBe('minke: error: host nope does not exist\n');
  });

  it("clears the token user's current sessions through the server; the history stays", async () => {
    const ran = await asUser('runner', 'run', 'Hello', '--model', 'Host', '--id', 'local');
    expect(ran.code).toBe(0);
    const lastOf = async () =>
      (await runner.get('/api/records/Host?where=name%20%3D%20local')).json<{
        items: { _lastSession: { session: string } | null }[];
      }>().items[0]?._lastSession?.session ?? null;
    expect(await lastOf()).toBe('Hello');
    const refused = await asUser('runner', 'clear', '--model', 'Host', '--all', '--user', 'root');
    expect([refused.code, refused.stderr]).toEqual([
      2,
      "minke: error: --user applies on the project; through a server it is the token's user\n",
    ]);
    const cleared = await asUser('runner', 'clear', '--model', 'Host', '--id', 'local');
    expect([cleared.stderr, cleared.stdout]).toEqual([
      '',
      'cleared the current session of 1 of 1 Host object(s)\n',
    ]);
    expect(await lastOf()).toBeNull();
    const history = await asUser('runner', 'history', '--json');
    expect(history.stdout).toContain('"session": "Hello"');
  });

  it('refuses --server on commands that work on the local project only', async () => {
    const result = await asUser('root', 'migrate');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('`minke migrate` works on the local project only');
  });
});
