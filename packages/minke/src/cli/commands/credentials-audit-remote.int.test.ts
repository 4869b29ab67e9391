import type { ChildProcess } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtMinke, exited } from '../../../test-support/project-folder.js';
import { runBuiltCli, spawnBuiltCli, type CliResult } from '../../../test-support/run-cli.js';
import { openDatabase } from '../../store/open-database.js';

/**
 * `minke --server URL credentials …` and `minke --server URL audit`: the built CLI, in a folder
 * with no project, against a built `minke start` on 127.0.0.1, with the token in the environment
 * or a file, never in argv (rebuild first: npx tsc -b packages/protocol packages/agent
 * packages/minke).
 */
const tmp = mkdtempSync(join(tmpdir(), 'minke-remote-credentials-'));
const dir = join(tmp, 'p');
const elsewhere = join(tmp, 'elsewhere');
const keyFile = join(tmp, 'deploy_ed25519');
const password = `remote-pw-${randomBytes(6).toString('hex')}`;
const newPassword = `remote-pw2-${randomBytes(6).toString('hex')}`;
const tokens: Record<string, string> = {};
const outputs: CliResult[] = [];
let server: ChildProcess | undefined;
let url = '';

/** The server's own environment: no secret key from the test's, a free MQTT port. */
const serverEnv = { MINKE_SECRET_KEY: undefined, MINKE_SECRET_KEY_FILE: undefined };

/** `minke --server URL ARGS` as USER, the token in MINKE_TOKEN; from a folder without a project. */
async function remote(
  user: string,
  args: string[],
  env: Record<string, string | undefined> = {},
  input?: string,
): Promise<CliResult> {
  const result = await runBuiltCli(['--server', url, ...args], {
    cwd: elsewhere,
    env: { MINKE_TOKEN: tokens[user], MINKE_SERVER_URL: undefined, ...env },
    timeoutMs: 60_000,
    ...(input === undefined ? {} : { input }),
  });
  outputs.push(result);
  return result;
}

function serverUrl(child: ChildProcess): Promise<string> {
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start: ${output}`)), 90_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = / at (http:\/\/[\d.:]+)/.exec(output);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
  });
}

beforeAll(async () => {
  execFileSync('mkdir', ['-p', elsewhere]);
  expect((await runBuiltCli(['init', dir])).code).toBe(0);
  const local = (args: string[], env: Record<string, string | undefined> = {}) =>
    builtMinke(dir, args, { ...serverEnv, ...env });
  expect((await local(['migrate'])).code).toBe(0);
  const userPassword = { MINKE_PASSWORD: 'a long password for tests' };
  expect((await local(['users', 'create', 'root', '--superuser'], userPassword)).code).toBe(0);
  expect((await local(['users', 'create', 'alice'], userPassword)).code).toBe(0);
  expect((await local(['users', 'create', 'auditor'], userPassword)).code).toBe(0);
  expect((await local(['users', 'grant', 'auditor', 'view_audit'])).code).toBe(0);
  for (const user of ['root', 'alice', 'auditor']) {
    const created = await local(['tokens', 'create', '--user', user, '--name', `${user}-cli`]);
    expect(created.code, created.stderr).toBe(0);
    tokens[user] = created.stdout.trim();
  }
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'remote', '-f', keyFile]);
  server = spawnBuiltCli(['--project', dir, 'start', '--port', '0'], {
    env: { ...serverEnv, MINKE_MQTT_PORT: '0' },
  });
  url = await serverUrl(server);
}, 180_000);

afterAll(async () => {
  if (server && server.exitCode === null) {
    server.kill('SIGTERM');
    await exited(server, 15_000);
  }
  rmSync(tmp, { recursive: true, force: true });
});

describe(
  'credentials and audit through --server (built CLI and server)',
  { timeout: 180_000 },
  () => {
    it('adds, lists, replaces and deletes credentials on the server as the token user', async () => {
      const fingerprint =
        execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', `${keyFile}.pub`], {
          encoding: 'utf8',
        }).split(' ')[1] ?? '';

      const added = await remote('root', ['credentials', 'add', 'db-root', '--type', 'password'], {
        MINKE_SECRET: password,
      });
      expect(added).toMatchObject({
        code: 0,
        stderr: '',
        stdout: 'added credential db-root (password)\n',
      });
      // The token from a file this time.
      const tokenFile = join(tmp, 'root.token');
      writeFileSync(tokenFile, `${tokens['root']}\n`, { mode: 0o600 });
      const key = await remote(
        'root',
        [
          '--token-file',
          tokenFile,
          'credentials',
          'add',
          'deploy',
          '--type',
          'ssh-key',
          '--from-file',
          keyFile,
        ],
        { MINKE_TOKEN: undefined },
      );
      expect(key).toMatchObject({
        code: 0,
        stdout: `added credential deploy (ssh-key ${fingerprint})\n`,
      });

      const listed = await remote('root', ['credentials', 'list', '--json']);
      expect(listed.code, listed.stderr).toBe(0);
      const list = JSON.parse(listed.stdout) as Record<string, unknown>[];
      expect(list.map((c) => [c['name'], c['type'], c['fingerprint'], c['createdBy']])).toEqual([
        ['db-root', 'password', null, 'root'],
        ['deploy', 'ssh-key', fingerprint, 'root'],
      ]);
      const table = await remote('root', ['credentials', 'list']);
      expect(table.stdout).toMatch(/^NAME\s+TYPE\s+FINGERPRINT\s+UPDATED\s+BY\n/);
      expect(table.stdout).toMatch(/^db-root\s+password\s+\S+\s+root\n/m);

      // From standard input this time, as a password manager pipes it.
      const replaced = await remote(
        'root',
        ['credentials', 'replace', 'db-root', '--type', 'password', '--from-file', '-'],
        {},
        `${newPassword}\n`,
      );
      expect(replaced).toMatchObject({
        code: 0,
        stdout: 'replaced credential db-root (password)\n',
      });
      const deleted = await remote('root', ['credentials', 'delete', 'deploy']);
      expect(deleted).toMatchObject({
        code: 0,
        stdout: `deleted credential deploy (ssh-key ${fingerprint})\n`,
      });
      const gone = await remote('root', ['credentials', 'delete', 'deploy']);
      expect(gone).toMatchObject({
        code: 2,
        stderr: 'minke: error: credential deploy does not exist\n',
      });
    });

    it('refuses a user without manage_credentials, and rotate-key, which works on the project only', async () => {
      const refused = await remote('alice', ['credentials', 'list']);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(/^minke: error: .*manage_credentials/);
      const notStored = await remote('alice', ['credentials', 'add', 'x', '--type', 'password'], {
        MINKE_SECRET: password,
      });
      expect(notStored.code).toBe(1);
      expect(notStored.stderr).toMatch(/manage_credentials/);
      const rotate = await remote('root', ['credentials', 'rotate-key']);
      expect(rotate).toMatchObject({
        code: 2,
        stderr: expect.stringContaining(
          '`minke credentials rotate-key` works on the local project only',
        ) as unknown,
      });
      const empty = await remote(
        'root',
        ['credentials', 'add', 'y', '--type', 'password', '--from-file', '-'],
        {},
        '\n',
      );
      expect(empty).toMatchObject({
        code: 2,
        stderr: 'minke: error: --from-file -: it is empty\n',
      });
      // No secret on the command line: without a file, MINKE_SECRET or a terminal, nothing is sent.
      const none = await remote('root', ['credentials', 'add', 'y', '--type', 'password']);
      expect(none).toMatchObject({
        code: 2,
        stderr:
          'minke: error: no password: use --from-file FILE, set MINKE_SECRET, or run this at a terminal to be asked\n',
      });
    });

    it("reads the server's audit log: who changed which credential, by which token, from where", async () => {
      const listed = await remote('auditor', ['audit', '--action', 'credential', '--json']);
      expect(listed.code, listed.stderr).toBe(0);
      const page = JSON.parse(listed.stdout) as {
        items: {
          action: string;
          actor: { name: string };
          via: string;
          ip: string;
          target: { name: string };
        }[];
        total: number;
      };
      expect(page.items.map((row) => [row.action, row.target.name])).toEqual([
        ['credential.delete', 'deploy'],
        ['credential.replace', 'db-root'],
        ['credential.create', 'deploy'],
        ['credential.create', 'db-root'],
      ]);
      for (const row of page.items)
        expect(row).toMatchObject({
          actor: { name: 'root' },
          via: 'token root-cli',
          ip: '127.0.0.1',
        });

      const table = await remote('auditor', ['audit', '--action', 'credential.replace']);
      expect(table.stdout).toMatch(
        /^ID\s+AT\s+ACTOR\s+FROM\s+ACTION\s+TARGET\n\d+\s+\S+\s+root\s+token root-cli 127\.0\.0\.1\s+credential\.replace\s+credential db-root\n$/,
      );
      const paged = await remote('auditor', [
        'audit',
        '--action',
        'credential',
        '--limit',
        '1',
        '--offset',
        '3',
        '--json',
      ]);
      expect((JSON.parse(paged.stdout) as typeof page).items.map((row) => row.target.name)).toEqual(
        ['db-root'],
      );
      const badDate = await remote('auditor', ['audit', '--since', 'yesterday']);
      expect(badDate.code).toBe(2);
      expect(badDate.stderr).toContain('"yesterday"');
      expect(badDate.stderr).toContain('(12h, 2d, 1w, 6m, 1y)');
      // Ages as the history takes them: the change of a moment ago is within the last hour,
      // and not before a year ago.
      const replaced = (since: string[]) =>
        remote('auditor', ['audit', '--action', 'credential.replace', ...since, '--json']);
      const lastHour = JSON.parse((await replaced(['--since', '1h'])).stdout) as typeof page;
      expect(lastHour.items.map((row) => row.action)).toEqual(['credential.replace']);
      const yearAgo = JSON.parse((await replaced(['--until', '1y'])).stdout) as typeof page;
      expect(yearAgo.items).toEqual([]);
      const none = await remote('auditor', ['audit', '--until', '1y']);
      expect(none).toMatchObject({ code: 0, stdout: 'no audit entries match\n' });

      const refused = await remote('alice', ['audit']);
      expect(refused).toMatchObject({
        code: 1,
        stderr: 'minke: error: you may not read the audit log: it needs view_audit\n',
      });
    });

    it('never shows a secret: not in any output, nor in the database files', () => {
      for (const result of outputs) {
        for (const secret of [password, newPassword]) {
          expect(result.stdout + result.stderr).not.toContain(secret);
        }
        expect(result.stdout).not.toContain('PRIVATE KEY');
      }
      const privateKeyLine = readFileSync(keyFile, 'utf8').split('\n')[1] ?? '';
      const files = readdirSync(dir).filter((n) => n.startsWith('minke.db'));
      expect(files).toContain('minke.db');
      for (const name of files) {
        const bytes = readFileSync(join(dir, name));
        for (const secret of [password, newPassword, privateKeyLine])
          expect(bytes.includes(secret), `${name} holds a secret`).toBe(false);
      }
    });

    it('verifies the server’s audit chain, and names an edited row', async () => {
      const ok = await remote('auditor', ['audit', 'verify']);
      expect(ok.code, ok.stderr).toBe(0);
      expect(ok.stdout).toMatch(/^audit log OK: (\d+) rows, the chain is whole up to row \1\n$/);
      // Someone with access to the server's database rewrites who made the first change.
      const database = await openDatabase(`sqlite:${join(dir, 'minke.db')}`, { baseDir: dir });
      try {
        await sql`update minke_audit_log set actor_name = 'nobody' where id = 1`.execute(
          database.db,
        );
      } finally {
        await database.close();
      }
      const broken = await remote('auditor', ['audit', 'verify']);
      expect(broken).toMatchObject({
        code: 1,
        stderr:
          'audit log BROKEN at row 1: its content does not match its hash (0 rows before it are intact)\n',
      });
    });
  },
);
