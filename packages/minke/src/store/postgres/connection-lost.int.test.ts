import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { POSTGRES_URL } from '../../../test-support/databases.js';
import { waitUntil } from '../../../test-support/agent-fleet.js';
import { openPostgres } from './open-postgres.js';

/**
 * A connection that PostgreSQL ends (a restart, an administrator's `pg_terminate_backend`) while
 * Minke holds it between two queries of a transaction: the transaction fails with the reason and
 * the process goes on. Before, the pooled client's `error` had no listener while checked out, and
 * Node threw it as an uncaught exception (seen once in CI while a test restarted its database).
 * Only this test's own backends are ended.
 */
const schema = `test_lost_${randomBytes(4).toString('hex')}`;
const uncaught: unknown[] = [];
const onUncaught = (error: unknown) => uncaught.push(error);

beforeEach(() => {
  uncaught.length = 0;
  process.on('uncaughtException', onUncaught);
});
afterEach(() => {
  process.off('uncaughtException', onUncaught);
});
afterAll(async () => {
  const client = new pg.Client({ connectionString: POSTGRES_URL });
  await client.connect();
  await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await client.end();
});

/** Ends one backend from a connection of its own. */
async function terminate(pid: number): Promise<void> {
  const admin = new pg.Client({ connectionString: POSTGRES_URL });
  await admin.connect();
  try {
    await admin.query('SELECT pg_terminate_backend($1)', [pid]);
  } finally {
    await admin.end();
  }
}

/** Whether the backend is gone from the server's list. */
async function gone(pid: number): Promise<boolean> {
  const admin = new pg.Client({ connectionString: POSTGRES_URL });
  await admin.connect();
  try {
    const { rowCount } = await admin.query('SELECT 1 FROM pg_stat_activity WHERE pid = $1', [pid]);
    return rowCount === 0;
  } finally {
    await admin.end();
  }
}

describe('a PostgreSQL connection ended under Minke', { timeout: 60_000 }, () => {
  it('fails the transaction that held it, with the reason, and does not crash the process', async () => {
    const database = await openPostgres({ url: POSTGRES_URL, schema });
    try {
      const outcome = await database.db
        .transaction()
        .execute(async (trx) => {
          const { rows } = await sql<{ pid: number }>`SELECT pg_backend_pid() AS pid`.execute(trx);
          const pid = rows[0]?.pid;
          if (pid === undefined) throw new Error('no backend pid');
          await terminate(pid);
          await waitUntil('the backend to end', () => gone(pid));
          // Let the client read the server's goodbye before the next query.
          await new Promise((resolve) => setTimeout(resolve, 200));
          await sql`SELECT 1`.execute(trx);
          return 'went on';
        })
        .catch((error: unknown) => (error instanceof Error ? error.message : String(error)));
      expect(outcome).toMatch(/terminat|Connection|not queryable/i);
      expect(uncaught).toEqual([]);
      // The pool gives a new connection for the next query.
      const { rows } = await sql<{ one: number }>`SELECT 1 AS one`.execute(database.db);
      expect(rows[0]?.one).toBe(1);
    } finally {
      await database.close();
    }
  });
});
