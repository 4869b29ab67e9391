import type { ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtMinke, exited, printed } from '../../test-support/project-folder.js';
import { freePort } from '../../test-support/redis.js';
import { runBuiltCli, spawnBuiltCli } from '../../test-support/run-cli.js';

/** A server named by its host, an app by its name and its server's host: paths through refs. */
const MODELS = (serverDisplay: string) => `import { defineModel, f } from 'minke';
export const Server = defineModel('Server', {
  fields: { host: f.ref('Host', { unique: true }), role: f.enum(['web', 'db'], { default: 'web' }) },
  hostLookup: 'host',
  display: [${serverDisplay}],
});
export const App = defineModel('App', {
  fields: { server: f.ref('Server'), name: f.text() },
  hostLookup: 'server.host',
  display: ['name', 'server.host.name'],
  ordering: ['name'],
});
`;

const SESSIONS = `import { SingleCommandSession } from 'minke';
export class Check extends SingleCommandSession {
  static override workOn = ['Server'];
  static override command = 'true';
}
`;

const CONFIG = `import { defineConfig } from 'minke';
import { App, Server } from './models.js';
import { Check } from './sessions.js';
export default defineConfig({ database: 'sqlite:data.db', models: [Server, App], sessions: [Check] });
`;

function writeLabelProject(dir: string, serverDisplay: string): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), '{ "type": "module", "private": true }\n');
  writeFileSync(join(dir, 'models.ts'), MODELS(serverDisplay));
  writeFileSync(join(dir, 'sessions.ts'), SESSIONS);
  writeFileSync(join(dir, 'minke.config.ts'), CONFIG);
}

// Display paths through refs (`host.name`), on a project folder through the built CLI, and
// through its server as a user who may not view hosts: the label leaves the host out for them.
describe('labels that follow refs', { timeout: 240_000 }, () => {
  const tmp = mkdtempSync(join(tmpdir(), 'minke-labels-'));
  const dir = join(tmp, 'p');
  const env = { MINKE_MQTT_PORT: '0', MINKE_PASSWORD: 'a password for the test' };
  const minke = (...args: string[]) => builtMinke(dir, args, env, 120_000);
  let server: ChildProcess | undefined;
  let url = '';
  let opsToken = '';
  const asOps = (...args: string[]) =>
    runBuiltCli(['--server', url, ...args], {
      cwd: tmp,
      env: { MINKE_TOKEN: opsToken, MINKE_PROJECT: undefined },
      timeoutMs: 60_000,
    });

  beforeAll(async () => {
    writeLabelProject(dir, "'host.name'");
    for (const args of [
      ['migrate'],
      ['hosts', 'add', 'web-1', '--config', 'transport: local'],
      ['hosts', 'add', 'db-1', '--config', 'transport: local'],
      ['records', 'add', 'Server', 'host=web-1'],
      ['records', 'add', 'Server', 'host=db-1', 'role=db'],
      ['records', 'add', 'App', 'server=1', 'name=shop'],
      ['records', 'add', 'App', 'server=2', 'name=ledger'],
      ['users', 'create', 'ops'],
      ['users', 'grant', 'ops', 'view_server', 'view_app', 'run_check'],
    ]) {
      const result = await minke(...args);
      expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(0);
    }
    opsToken = (await minke('tokens', 'create', '--user', 'ops')).stdout.trim();
    const port = await freePort();
    server = spawnBuiltCli(['--project', dir, 'start', '--port', String(port)], { env });
    await printed(server, 'press Ctrl-C', 90_000);
    url = `http://127.0.0.1:${port}`;
  });

  afterAll(async () => {
    server?.kill('SIGTERM');
    if (server) await exited(server, 30_000);
    rmSync(tmp, { recursive: true, force: true });
  });

  it('names records through their refs in lists, records and exports', async () => {
    const added = await minke('records', 'add', 'App', 'server=1', 'name=blog');
    expect([added.code, added.stdout]).toEqual([0, 'added blog web-1 (App #3)\n']);
    const list = await minke('records', 'list', 'App');
    expect(list.stdout).toMatch(/^1\s+web-1 \(Server #1\)\s+shop$/m);
    expect(list.stdout).toMatch(/^2\s+db-1 \(Server #2\)\s+ledger$/m);
    const shown = await minke('records', 'show', 'App', 'ledger');
    expect(shown.stdout).toMatch(/^label: +ledger db-1 \(App #2\)\nserver: +db-1 \(Server #2\)$/m);
    const csv = await minke('records', 'export', 'App');
    expect(
      csv.stdout
        .split('\n')
        .slice(1, 4)
        .map((line) => line.split(',').slice(1, 3)),
    ).toEqual([
      ['web-1 (Server #1)', 'blog'],
      ['db-1 (Server #2)', 'ledger'],
      ['web-1 (Server #1)', 'shop'],
    ]);
    expect((await minke('records', 'delete', 'App', 'blog')).code).toBe(0);
  });

  it('leaves the host out for a user who may not view hosts, and keeps it so in the history', async () => {
    const labels: string[] = [];
    for (const id of ['1', '2']) {
      const shown = await asOps('records', 'show', 'Server', id, '--json');
      expect([shown.code, shown.stderr]).toEqual([0, '']);
      labels.push((JSON.parse(shown.stdout) as { _label: string })._label);
    }
    expect(labels).toEqual(['Server #1', 'Server #2']);
    const apps = await asOps('records', 'list', 'App');
    expect(apps.stdout).toMatch(/^2\s+Server #2\s+ledger$/m);
    expect(apps.stdout).not.toContain('db-1');
    const csv = await asOps('records', 'export', 'App');
    expect(csv.stdout).not.toMatch(/web-1|db-1/);

    const run = await asOps('run', 'Check', '--model', 'Server', '--all', '--json');
    expect([run.code, run.stderr]).toEqual([0, '']);
    expect(run.stdout).not.toMatch(/web-1|db-1/);
    const local = await minke('run', 'Check', '--model', 'Server', '--id', '2');
    expect(local.code).toBe(0);
    const history = await minke('history', '--json');
    const rows = (JSON.parse(history.stdout) as { items: { objectLabel: string }[] }).items;
    // Newest first: the operator's run names the host, the user's runs do not.
    expect(rows.map((row) => row.objectLabel)).toEqual([
      'db-1 (Server #2)',
      'Server #2',
      'Server #1',
    ]);
  });

  it('refuses a display path that does not lead to a field, naming it', async () => {
    const bad = join(tmp, 'bad');
    for (const [display, reason] of [
      ["'host.nme'", 'model Server: display path "host.nme": Host has no field "nme"'],
      [
        "'role.name'",
        'model Server: display path "role.name": Server.role is not a ref, so the path cannot go on',
      ],
    ] as const) {
      writeLabelProject(bad, display);
      const result = await builtMinke(bad, ['records', 'list', 'Server'], env);
      expect(result.code).not.toBe(0);
      expect(result.stderr).toContain(reason);
    }
  });
});
