import { randomBytes } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POSTGRES_URL } from '../../test-support/databases.js';
import { adminQuery } from '../../test-support/project-databases.js';
import { builtMinke } from '../../test-support/project-folder.js';

/**
 * On PostgreSQL, `minke migrate` gives each model's text search fields a trigram index, so that
 * a list's search (`ILIKE '%…%'`) does not read every row; without the right to install
 * `pg_trgm` it says so and search still works. Through the built CLI on a copy of the demo.
 */
const demoSource = fileURLToPath(new URL('../../../../examples/demo', import.meta.url));
const suffix = randomBytes(4).toString('hex');
const databases = [`minke_trgm_${suffix}`, `minke_trgm_plain_${suffix}`] as const;
const role = `minke_trgm_user_${suffix}`;
const tmp = mkdtempSync(join(tmpdir(), 'minke-search-indexes-'));

function urlOf(database: string, user?: string): string {
  const url = new URL(POSTGRES_URL);
  url.pathname = `/${database}`;
  if (user) url.username = user;
  return url.toString();
}

async function query<T>(url: string, text: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(text)).rows as T[];
  } finally {
    await client.end();
  }
}

function demoCopy(name: string): string {
  const dir = join(tmp, name);
  cpSync(demoSource, dir, {
    recursive: true,
    filter: (path) => !/minke-demo\.db|\/\.minke(\/|$)/.test(path),
  });
  return dir;
}

async function minke(dir: string, url: string, ...args: string[]) {
  const result = await builtMinke(dir, args, { MINKE_DATABASE_URL: url });
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  return result.stdout;
}

/** Adds two hosts and searches them, as a user would. */
async function searchWorks(dir: string, url: string): Promise<void> {
  await minke(dir, url, 'hosts', 'add', 'web-1.example.com', '--config', 'transport: local');
  await minke(dir, url, 'hosts', 'add', 'db-1.example.com', '--config', 'transport: local');
  const found = await minke(dir, url, 'hosts', 'list', '--search', 'WEB-1', '--json');
  expect(
    (JSON.parse(found) as { items: { name: string }[] }).items.map((host) => host.name),
  ).toEqual(['web-1.example.com']);
}

describe('search indexes on PostgreSQL, through minke migrate', { timeout: 180_000 }, () => {
  beforeAll(async () => {
    for (const database of databases) await adminQuery(`CREATE DATABASE ${database}`);
    await adminQuery(`CREATE ROLE ${role} LOGIN`);
    // The role may make tables in the database but not install extensions in it.
    await query(urlOf(databases[1]), `GRANT CREATE ON SCHEMA public TO ${role}`);
  });

  afterAll(async () => {
    for (const database of databases) {
      await adminQuery(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    }
    await adminQuery(`DROP ROLE IF EXISTS ${role}`);
    rmSync(tmp, { recursive: true, force: true });
  });

  it('indexes every text search field, once, and the search reads the index', async () => {
    const dir = demoCopy('indexed');
    const url = urlOf(databases[0]);
    const first = await minke(dir, url, 'migrate');
    for (const line of [
      'Host: add search index name',
      'Host: add search index hostname',
      'Host: add search index comment',
      'Server: add search index os',
      'Server: add search index kernel',
      'App: add search index name',
      'Module: add search index name',
    ]) {
      expect(first).toContain(`${line}\n`);
    }
    expect(first).toMatch(
      /\(\d+ migration\(s\), 3 table change\(s\), 10 search index change\(s\)\)/,
    );
    expect(first).not.toContain('note:');
    expect(await minke(dir, url, 'migrate')).toMatch(/is up to date\n$/);

    const indexes = await query<{ indexname: string }>(
      url,
      "SELECT indexname FROM pg_indexes WHERE indexdef LIKE '%gin_trgm_ops%' ORDER BY indexname",
    );
    expect(indexes.map((row) => row.indexname)).toContain('minke_hosts_name_trgm');
    // The contains test a list's search makes can be answered from the index.
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await client.query('SET enable_seqscan = off');
      const plan = await client.query(
        "EXPLAIN SELECT id FROM minke_hosts WHERE name ILIKE '%web-1%' OR comment ILIKE '%web-1%'",
      );
      expect(JSON.stringify(plan.rows)).toContain('minke_hosts_name_trgm');
    } finally {
      await client.end();
    }
    await searchWorks(dir, url);

    // A field no longer searched loses its index.
    const models = join(dir, 'models.ts');
    writeFileSync(
      models,
      readFileSync(models, 'utf8').replace(
        "searchFields: ['os', 'kernel']",
        "searchFields: ['os']",
      ),
    );
    const narrowed = await minke(dir, url, 'migrate');
    expect(narrowed).toContain('Server: drop search index kernel\n');
    expect(narrowed).not.toContain('add search index');
  });

  it('without the right to install pg_trgm, says what to do, and search still works', async () => {
    const dir = demoCopy('plain');
    const url = urlOf(databases[1], role);
    const migrated = await minke(dir, url, 'migrate');
    expect(migrated).toContain(
      'note: search reads every row: PostgreSQL\'s pg_trgm extension is not installed (permission denied to create extension "pg_trgm"); as the database\'s owner run `CREATE EXTENSION pg_trgm;`, then `minke migrate`\n',
    );
    expect(migrated).not.toContain('add search index');
    await searchWorks(dir, url);

    // The owner installs it; the next migrate makes the indexes.
    await query(urlOf(databases[1]), 'CREATE EXTENSION pg_trgm');
    const again = await minke(dir, url, 'migrate');
    expect(again).toContain('Host: add search index name\n');
    expect(again).not.toContain('note:');
  });
});
