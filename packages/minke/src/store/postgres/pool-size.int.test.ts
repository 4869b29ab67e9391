import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { POSTGRES_URL } from '../../../test-support/databases.js';
import { dropSchema, uniqueSchema } from '../../../test-support/postgres-schemas.js';
import { writeProject } from '../../../test-support/project-folder.js';
import { loadProjectConfig } from '../../runtime/load-project.js';
import { openProject } from '../../runtime/open-project.js';

const tmp = mkdtempSync(join(tmpdir(), 'minke-pool-size-'));
const schemas: string[] = [];
afterAll(async () => {
  for (const schema of schemas) await dropSchema(schema);
  rmSync(tmp, { recursive: true, force: true });
});

/** The server's connections named `tag` (the URL's application_name), counted by the server. */
async function connectionsNamed(tag: string): Promise<number> {
  const client = new pg.Client({ connectionString: POSTGRES_URL });
  await client.connect();
  try {
    const { rows } = await client.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1',
      [tag],
    );
    return rows[0]?.n ?? 0;
  } finally {
    await client.end();
  }
}

/**
 * Opens the project in `dir` as `minke` does (its minke.config.ts, then the environment), runs
 * eight slow queries at once and counts the most connections the server saw meanwhile.
 */
async function peakConnections(dir: string, env: Record<string, string>): Promise<number> {
  const tag = `minke-pool-${randomBytes(4).toString('hex')}`;
  const url = new URL(POSTGRES_URL);
  url.searchParams.set('application_name', tag);
  const schema = uniqueSchema();
  schemas.push(schema);
  const config = await loadProjectConfig(dir, {
    ...process.env,
    MINKE_DATABASE_URL: url.toString(),
    ...env,
  });
  const project = await openProject(config, { migrate: true, schema });
  try {
    let running = true;
    const queries = Promise.all(
      Array.from({ length: 8 }, () => sql`SELECT pg_sleep(1.5)`.execute(project.database.db)),
    ).finally(() => (running = false));
    // The most seen at once while they run (a look every 100 ms, at most 15 looks).
    let seen = 0;
    for (let look = 0; look < 15 && running; look++) {
      seen = Math.max(seen, await connectionsNamed(tag));
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await queries;
    return seen;
  } finally {
    await project.close();
  }
}

describe('the PostgreSQL pool a project sets', { timeout: 60_000 }, () => {
  it('opens at most databasePoolSize connections; MINKE_DATABASE_POOL_SIZE wins', async () => {
    const sized = join(tmp, 'sized');
    writeProject(sized, {
      config: 'databasePoolSize: 3',
      sessions: 'export {};\n',
      sessionNames: [],
    });
    expect(await peakConnections(sized, {})).toBe(3);
    expect(await peakConnections(sized, { MINKE_DATABASE_POOL_SIZE: '2' })).toBe(2);

    // Without the setting, eight queries at once take eight of the default ten.
    const plain = join(tmp, 'plain');
    writeProject(plain, { config: '', sessions: 'export {};\n', sessionNames: [] });
    expect(await peakConnections(plain, {})).toBe(8);
  });

  it('refuses a pool size that is not a whole number from 1 to 1000, naming where it came from', async () => {
    const dir = join(tmp, 'bad');
    writeProject(dir, {
      config: 'databasePoolSize: 0',
      sessions: 'export {};\n',
      sessionNames: [],
    });
    await expect(loadProjectConfig(dir, {})).rejects.toThrow(
      `${join(dir, 'minke.config.ts')}: databasePoolSize:`,
    );
    const plain = join(tmp, 'plain');
    await expect(loadProjectConfig(plain, { MINKE_DATABASE_POOL_SIZE: 'lots' })).rejects.toThrow(
      'MINKE_DATABASE_POOL_SIZE="lots": expected a whole number from 1 to 1000',
    );
  });
});
