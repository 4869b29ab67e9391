import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { POSTGRES_URL } from './databases.js';

/** Runs one statement as the PostgreSQL test server's admin (CREATE/DROP DATABASE). */
export async function adminQuery(text: string): Promise<void> {
  const client = new pg.Client({ connectionString: POSTGRES_URL });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

/**
 * Where a project folder that a test runs the built `minke` on keeps its data: its own SQLite
 * file, or a whole PostgreSQL database made for it (a project migrates its own database, so a
 * schema is not enough).
 */
export interface ProjectDatabase {
  name: 'sqlite' | 'postgres';
  /** The `MINKE_DATABASE_URL` to give the project (undefined: its own SQLite file). */
  url(): Promise<string | undefined>;
  /** Drops what `url()` made. */
  cleanup(): Promise<void>;
}

/**
 * Both: for `describe.each(projectDatabases('minke_audit'))`. `prefix` names the PostgreSQL
 * database (a random suffix keeps parallel runs apart).
 */
export function projectDatabases(prefix: string): ProjectDatabase[] {
  const database = `${prefix}_${randomBytes(5).toString('hex')}`;
  return [
    { name: 'sqlite', url: () => Promise.resolve(undefined), cleanup: () => Promise.resolve() },
    {
      name: 'postgres',
      async url() {
        await adminQuery(`CREATE DATABASE ${database}`);
        return POSTGRES_URL.replace(/\/[^/]*$/, `/${database}`);
      },
      cleanup: () => adminQuery(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`),
    },
  ];
}
