/**
 * A PostgreSQL schema of a test's own on the machine's server, dropped afterwards: for parts
 * that create their own tables (the PostgreSQL event bus).
 *
 * @example
 *   const schema = uniqueSchema();
 *   const bus = new PostgresEventBus({ url: POSTGRES_URL, schema, prefix: 'minke', logger });
 *   ...
 *   await dropSchema(schema);
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { POSTGRES_URL } from './databases.js';

export function uniqueSchema(): string {
  return `test_${randomBytes(6).toString('hex')}`;
}

export async function dropSchema(schema: string, url = POSTGRES_URL): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
}

/** Ends the server connections whose application_name starts with `prefix`; returns how many. */
export async function terminateConnections(prefix: string, url = POSTGRES_URL): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ ended: boolean }>(
      `SELECT pg_terminate_backend(pid) AS ended FROM pg_stat_activity
       WHERE starts_with(application_name, $1) AND pid <> pg_backend_pid()`,
      [prefix],
    );
    return rows.filter((row) => row.ended).length;
  } finally {
    await client.end();
  }
}
