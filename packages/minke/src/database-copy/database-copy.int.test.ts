import { randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Sqlite from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POSTGRES_URL } from '../../test-support/databases.js';
import { adminQuery } from '../../test-support/project-databases.js';
import { factResult, useTempSigningKey } from '../../test-support/facts-fixtures.js';
import { builtMinke } from '../../test-support/project-folder.js';
import { AgentStore } from '../facts/agent-store.js';
import { FactStore } from '../facts/fact-store.js';
import { loadProjectConfig } from '../runtime/load-project.js';
import { openProject } from '../runtime/open-project.js';

/**
 * `minke db copy --to URL` through the built CLI on a copy of the demo: a project that grew up on
 * SQLite (hosts, groups, records, a user, a token, a credential, a run with its output, the audit
 * log) moves to PostgreSQL and reads the same there, keeps working (new ids after the copied
 * ones), and moves back to SQLite the same way.
 */
const demoSource = fileURLToPath(new URL('../../../../examples/demo', import.meta.url));
const database = `minke_copy_${randomBytes(4).toString('hex')}`;
const tmp = mkdtempSync(join(tmpdir(), 'minke-db-copy-'));
const dir = join(tmp, 'demo');
const sqliteUrl = 'sqlite:grown.db';
const postgresUrl = (() => {
  const url = new URL(POSTGRES_URL);
  url.pathname = `/${database}`;
  return url.toString();
})();

const env = (url: string) => ({
  MINKE_DATABASE_URL: url,
  MINKE_PASSWORD: 'a long enough password',
  MINKE_SECRET: 'the deploy password',
});

async function minke(url: string, ...args: string[]): Promise<string> {
  const result = await builtMinke(dir, args, env(url), 120_000);
  expect(result.stderr, args.join(' ')).toBe('');
  expect(result.code, args.join(' ')).toBe(0);
  return result.stdout;
}

/** What a user reads back, as JSON, the same on every copy. */
const READS: string[][] = [
  ['hosts', 'list', '--json'],
  ['groups', 'list', '--json'],
  ['records', 'list', 'Server', '--json'],
  ['records', 'list', 'App', '--json'],
  ['records', 'list', 'Module', '--json'],
  ['history', '--json'],
  ['users', 'list', '--json'],
  ['tokens', 'list', '--json'],
  ['credentials', 'list', '--json'],
  ['hosts', 'keys', '--json'],
  ['audit', '--json'],
  ['agents', 'list', '--json'],
  ['facts', 'localhost', '--json'],
  ['facts', 'history', 'localhost', 'os', '--json'],
];

/** Two versions of a fact from the demo's localhost agent, as the gateway stores them. */
async function reportFacts(): Promise<void> {
  const project = await openProject(await loadProjectConfig(dir, env(sqliteUrl)));
  try {
    useTempSigningKey(project, dir);
    const facts = new FactStore(project.database, new AgentStore(project));
    for (const [kernel, day] of [
      ['6.1.0-17', 1],
      ['6.1.0-18', 2],
    ] as const) {
      const finishedAt = new Date(Date.UTC(2026, 0, day, 12)).toISOString();
      const value = { kernel, flags: [true, null, 3] };
      await facts.storeResults([
        factResult({ node: 'localhost', plugin: 'os', value, finishedAt }),
      ]);
    }
  } finally {
    await project.close();
  }
}

describe('minke db copy: from SQLite to PostgreSQL and back', { timeout: 300_000 }, () => {
  let before: string[];

  beforeAll(async () => {
    cpSync(demoSource, dir, {
      recursive: true,
      filter: (path) => !/minke-demo\.db|\/\.minke(\/|$)/.test(path),
    });
    await adminQuery(`CREATE DATABASE ${database}`);
    await minke(sqliteUrl, 'migrate');
    await minke(sqliteUrl, 'load', join(dir, 'demo-data.yaml'));
    await minke(sqliteUrl, 'users', 'create', 'admin', '--superuser');
    // It names the token it made on stderr.
    const token = await builtMinke(dir, ['tokens', 'create', '--user', 'admin'], env(sqliteUrl));
    expect(token.code).toBe(0);
    await minke(sqliteUrl, 'credentials', 'add', 'deploy', '--type', 'password');
    await minke(sqliteUrl, 'groups', 'set', 'web', '--comment', 'the front');
    await minke(sqliteUrl, 'records', 'set', 'App', 'shop', 'version=10.3.1');
    const run = await builtMinke(
      dir,
      ['run', 'HealthCheck', '--model', 'Host', '--where', 'name = localhost'],
      env(sqliteUrl),
    );
    expect(run.stdout).toMatch(/^SUCCESS\s+localhost/m);
    await reportFacts();
    before = await Promise.all(READS.map((args) => minke(sqliteUrl, ...args)));
    // The facts are there to be copied: the current one and its history.
    expect(before.at(-2)).toContain('6.1.0-18');
    expect(before.at(-1)).toContain('6.1.0-17');
  });

  afterAll(async () => {
    await adminQuery(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    rmSync(tmp, { recursive: true, force: true });
  });

  it('copies every row to PostgreSQL: the same hosts, records, history, users and audit log', async () => {
    const copied = await minke(sqliteUrl, 'db', 'copy', '--to', postgresUrl);
    expect(copied).toMatch(/^copying SQLite .*grown\.db to PostgreSQL /);
    expect(copied).toMatch(/^ {2}minke_hosts\s+\d+$/m);
    expect(copied).toMatch(/^ {2}model_app\s+\d+$/m);
    expect(copied).toMatch(/^ {2}minke_commands\s+3$/m);
    expect(copied).toMatch(/^copied [\d,]+ rows of \d+ tables; the audit chain verifies there/m);
    for (const [index, args] of READS.entries())
      expect(await minke(postgresUrl, ...args), args.join(' ')).toBe(before[index]);
    expect(await minke(postgresUrl, 'audit', 'verify')).toMatch(/^audit log OK/);
    // The same command output, from the stored copy.
    const [first] = (JSON.parse(before[5] ?? '{}') as { items: { id: number }[] }).items;
    const shown = await minke(postgresUrl, 'history', 'show', String(first?.id));
    expect(shown).toBe(await minke(sqliteUrl, 'history', 'show', String(first?.id)));
  });

  it('keeps working there: new rows take ids after the copied ones', async () => {
    const added = await minke(postgresUrl, 'hosts', 'add', 'web-9');
    const hosts = JSON.parse(before[0] ?? '{}') as { items: { id: number }[] };
    const highest = Math.max(...hosts.items.map((host) => host.id));
    expect(added).toBe(`added host web-9 (id ${highest + 1})\n`);
    const run = await builtMinke(
      dir,
      ['run', 'HealthCheck', '--model', 'Host', '--where', 'name = localhost', '--json'],
      env(postgresUrl),
    );
    expect(run.code).toBe(0);
    const [last] = (JSON.parse(before[5] ?? '{}') as { items: { id: number }[] }).items;
    const history = await minke(postgresUrl, 'history', '--json');
    const [newest] = (JSON.parse(history) as { items: { id: number }[] }).items;
    expect(newest?.id).toBe((last?.id ?? 0) + 1);
  });

  it('refuses a target with data, the project itself, and a password on the command line', async () => {
    const again = await builtMinke(dir, ['db', 'copy', '--to', postgresUrl], env(sqliteUrl));
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(
      /^minke: error: the target database holds data already \(minke_hosts: \d+, minke_users: 1, minke_runs: 2, minke_audit_log: \d+, .*\): copy into a new, empty one\n$/,
    );
    const itself = await builtMinke(dir, ['db', 'copy', '--to', sqliteUrl], env(sqliteUrl));
    expect([itself.code, itself.stderr]).toEqual([
      2,
      `minke: error: --to names the project's own database (${sqliteUrl})\n`,
    ]);
    const secret = postgresUrl.replace('://', '://minke:hunter2@');
    const inArgv = await builtMinke(dir, ['db', 'copy', '--to', secret], env(sqliteUrl));
    expect(inArgv.code).toBe(2);
    expect(inArgv.stderr).toContain('leave the password out of the URL');
    expect(inArgv.stderr).not.toContain('hunter2');
    // A run that has not finished: its server may still be writing.
    const file = new Sqlite(join(dir, 'grown.db'));
    try {
      file.prepare('UPDATE minke_runs SET finished_at = NULL WHERE id = 1').run();
      const running = await builtMinke(
        dir,
        ['db', 'copy', '--to', 'sqlite:never.db'],
        env(sqliteUrl),
      );
      expect([running.code, running.stderr]).toEqual([
        2,
        "minke: error: run 1 has not finished: stop Minke's servers and workers (and let their runs end) before copying its database\n",
      ]);
      // Refused before the target was made.
      expect(existsSync(join(dir, 'never.db'))).toBe(false);
    } finally {
      file.prepare('UPDATE minke_runs SET finished_at = created_at WHERE id = 1').run();
      file.close();
    }
  });

  it('copies back from PostgreSQL to a new SQLite file the same way', async () => {
    const back = 'sqlite:back.db';
    const copied = await minke(postgresUrl, 'db', 'copy', '--to', back);
    expect(copied).toMatch(/the audit chain verifies there/);
    for (const args of READS)
      expect(await minke(back, ...args), args.join(' ')).toBe(await minke(postgresUrl, ...args));
  });
});
