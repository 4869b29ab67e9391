import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POSTGRES_URL } from '../../test-support/databases.js';
import { runCli } from '../../test-support/run-cli.js';

const tmp = mkdtempSync(join(tmpdir(), 'minke-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Every failure is exactly one line on stderr. */
function oneLine(stderr: string): string {
  const lines = stderr.trimEnd().split('\n');
  expect(lines).toHaveLength(1);
  return lines[0] as string;
}

describe('minke CLI basics', { timeout: 120_000 }, () => {
  it('prints its version and help', async () => {
    const version = await runCli(['--version']);
    expect(version).toMatchObject({ code: 0, stdout: '0.1.0\n' });
    const help = await runCli(['--help']);
    expect(help.code).toBe(0);
    for (const command of ['init', 'migrate', 'hosts', 'groups', 'users', 'records', 'start'])
      expect(help.stdout).toContain(command);
    // Someone reading about hosts is pointed to their groups, a command of its own.
    const hostsHelp = await runCli(['hosts', '--help']);
    expect(hostsHelp.code).toBe(0);
    expect(hostsHelp.stdout).toContain('minke groups --help');
  });

  it('says when there is no project', async () => {
    const result = await runCli(['hosts', 'list'], { cwd: tmp });
    expect(result.code).toBe(1);
    expect(oneLine(result.stderr)).toBe(
      'minke: error: no minke.config.ts here or in any folder above: run `minke init`, or pass --project DIR',
    );
    const missing = await runCli(['--project', join(tmp, 'nope'), 'migrate']);
    expect(oneLine(missing.stderr)).toContain('is not a Minke project: it has no minke.config.ts');
  });

  it('exits 2 on a usage mistake', async () => {
    const result = await runCli(['hosts', 'frobnicate']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("error: unknown command 'frobnicate'");
  });
});

describe.each([
  { backend: 'sqlite', env: () => Promise.resolve({}) },
  {
    backend: 'postgres',
    env: async () => {
      // A database of its own, as a user's would be; dropped afterwards.
      const name = `minke_cli_${randomBytes(4).toString('hex')}`;
      const admin = new pg.Client({ connectionString: POSTGRES_URL });
      await admin.connect();
      await admin.query(`CREATE DATABASE ${name}`);
      await admin.end();
      databases.push(name);
      const url = new URL(POSTGRES_URL);
      url.pathname = `/${name}`;
      return { MINKE_DATABASE_URL: url.toString() };
    },
  },
])('a project on $backend', { timeout: 180_000 }, ({ backend, env: makeEnv }) => {
  const dir = join(tmp, `p-${backend}`);
  let env: Record<string, string> = {};
  const minke = (...args: string[]) => runCli(['--project', dir, ...args], { env });

  beforeAll(async () => {
    env = await makeEnv();
  });

  it('init, migrate, add a host and list it', async () => {
    const init = await runCli(['init', dir]);
    expect(init.code).toBe(0);
    expect(init.stdout).toContain(`created a Minke project in ${dir}`);

    const early = await minke('hosts', 'list');
    expect(early.code).toBe(1);
    if (backend === 'sqlite') {
      expect(oneLine(early.stderr)).toBe(
        `minke: error: the database ${join(dir, 'minke.db')} does not exist yet: run \`minke migrate\``,
      );
      // No empty database file left behind by a command that only reads.
      expect(existsSync(join(dir, 'minke.db'))).toBe(false);
    } else {
      expect(oneLine(early.stderr)).toMatch(/has \d+ pending migration\(s\): run `minke migrate`$/);
    }

    const migrate = await minke('migrate');
    expect(migrate.code).toBe(0);
    expect(migrate.stdout).toContain('applied migration 0001-hosts-and-users');
    expect(migrate.stdout).toContain('Server: create table');
    expect((await minke('migrate')).stdout).toMatch(/is up to date\n$/);

    const add = await minke(
      'hosts',
      'add',
      'web-1',
      '--hostname',
      '127.0.0.1',
      '--port',
      '2222',
      '--user',
      'root',
    );
    expect(add).toMatchObject({ code: 0, stdout: 'added host web-1 (id 1)\n' });
    const list = await minke('hosts', 'list');
    expect(list.stdout.split('\n')[0]).toMatch(/^NAME\s+HOSTNAME\s+PORT\s+USER/);
    expect(list.stdout).toMatch(/web-1\s+127\.0\.0\.1\s+2222\s+root/);
    const json = JSON.parse((await minke('hosts', 'list', '--json')).stdout) as {
      items: { name: string; port: number }[];
    };
    expect(json.items).toEqual([
      expect.objectContaining({ name: 'web-1', port: 2222, user: 'root' }),
    ]);
  });

  it('refuses bad input with one clear line and changes nothing', async () => {
    // 2: what the user typed is wrong; 1: it is right but cannot be done (the host exists).
    const cases: [string[], number, string][] = [
      [
        ['hosts', 'add', 'web 2'],
        2,
        'minke: error: invalid host name "web 2": use letters, digits, hyphens and dots',
      ],
      [['hosts', 'add', 'web-1'], 1, 'minke: error: host web-1 already exists'],
      [
        ['hosts', 'add', 'web-2', '--port', 'ssh'],
        2,
        'minke: error: --port "ssh": use a whole number from 1 to 65535',
      ],
      [
        ['hosts', 'add', 'web-2', '--config', '- a\n- b'],
        2,
        'minke: error: host web-2: the config must be a mapping of settings (key: value), not a list',
      ],
      [
        ['hosts', 'add', 'web-2', '--config', 'user: [x'],
        2,
        'minke: error: host web-2: the config is not valid YAML or JSON at line',
      ],
      [['hosts', 'add', 'web-2', '--group', 'nope'], 2, 'minke: error: unknown group(s): nope'],
      [['hosts', 'show', 'ghost'], 2, 'minke: error: host ghost does not exist'],
      [['records', 'list', 'Nope'], 2, 'minke: error: unknown model "Nope" (known: Host, Server)'],
      [
        ['records', 'list', 'Server', '--where', 'host.name ='],
        2,
        'minke: error: invalid --where at character 12',
      ],
      [
        ['records', 'list', 'Server', '--limit', 'ten'],
        2,
        'minke: error: --limit "ten": expected a whole number',
      ],
      [
        ['hosts', 'list', '--limit', '0'],
        2,
        'minke: error: --limit "0": expected a whole number of at least 1',
      ],
      [
        ['users', 'create', 'alice'],
        2,
        'minke: error: no password: set MINKE_PASSWORD, or run this at a terminal',
      ],
    ];
    for (const [args, code, message] of cases) {
      const result = await minke(...args);
      expect({ args, code: result.code }).toEqual({ args, code });
      expect(oneLine(result.stderr)).toContain(message);
    }
    const list = JSON.parse((await minke('hosts', 'list', '--json')).stdout) as { total: number };
    expect(list.total).toBe(1);
  });

  it('creates a user with the password from the environment, never echoing it', async () => {
    const result = await runCli(['--project', dir, 'users', 'create', 'admin', '--superuser'], {
      env: { ...env, MINKE_PASSWORD: 'very secret pw' },
    });
    expect(result).toMatchObject({ code: 0, stdout: 'created superuser admin\n' });
    expect((await minke('users', 'list')).stdout).toMatch(/admin\s+yes\s+yes/);
    // The same document as the API's GET /api/users (and so `--server … users list --json`).
    const [admin] = JSON.parse((await minke('users', 'list', '--json')).stdout) as unknown[];
    expect(admin).toEqual({
      id: expect.any(Number) as number,
      username: 'admin',
      isSuperuser: true,
      isActive: true,
      createdAt: expect.any(String) as string,
      lastLogin: null,
      groups: [],
      permissions: [],
    });
  });

  it('imports hosts from an OpenSSH config and lists records through refs', async () => {
    const sshConfig = join(tmp, `ssh-config-${backend}`);
    writeFileSync(
      sshConfig,
      'Host app-1 app-2\n  HostName 10.1.0.1\n  User deploy\nHost *.corp\n  User x\nHost web-1\n  Port 22\n',
    );
    await minke('groups', 'add', 'imported', '--config', 'strictHostKeyChecking: accept-new');
    const imported = await minke('hosts', 'import', sshConfig, '--group', 'imported');
    expect(imported.code).toBe(0);
    // What is left out first, then what is added (all of it or, when one is refused, none).
    expect(imported.stdout).toContain(
      'skipped web-1: host already exists\nadded app-1\nadded app-2\n',
    );
    expect(imported.stdout).toContain('imported 2 host(s)');
    const groups = await minke('groups', 'list');
    expect(groups.stdout).toMatch(/imported\s+2\s+\{"strictHostKeyChecking":"accept-new"\}/);

    const fixtures = join(tmp, `fixtures-${backend}.yaml`);
    writeFileSync(
      fixtures,
      'records:\n  Server:\n    - { host: app-1, role: web, os: Debian 12 }\n    - { host: app-2, role: db }\n',
    );
    expect((await minke('load', fixtures)).stdout).toContain(
      'loaded 0 group(s), 0 host(s), 2 record(s)',
    );
    const servers = await minke(
      'records',
      'list',
      'Server',
      '--where',
      'host.groups.name = imported and role = web',
    );
    expect(servers.stdout).toMatch(/Debian 12/);
    expect(servers.stdout).toContain('1-1 of 1');
    expect((await minke('load', fixtures, '--if-empty')).stdout).toContain(
      'skipped, the project has hosts already',
    );
  });

  it('removes a host', async () => {
    expect((await minke('hosts', 'remove', 'app-2')).stdout).toBe('removed host app-2\n');
    expect((await minke('hosts', 'list')).stdout).not.toContain('app-2');
  });
});

const databases: string[] = [];
afterAll(async () => {
  if (databases.length === 0) return;
  const admin = new pg.Client({ connectionString: POSTGRES_URL });
  await admin.connect();
  for (const name of databases) await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.end();
});
