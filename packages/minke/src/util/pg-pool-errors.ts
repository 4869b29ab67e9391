import type pg from 'pg';

/**
 * Keeps a lost PostgreSQL connection from crashing the process. pg-pool listens for a client's
 * `error` only while the client is idle in the pool; a client that is checked out (a
 * transaction between its queries, say) and loses its server (a restart, an administrator's
 * `pg_terminate_backend`) emits `error` with no listener, which Node throws as an uncaught
 * exception. Every client gets a listener of its own here; the pool's for idle ones stays, and
 * the next query on a lost client fails with the reason, as any query does.
 */
export function survivePoolErrors(pool: pg.Pool): void {
  pool.on('error', () => undefined);
  pool.on('connect', (client) => {
    client.on('error', () => undefined);
  });
}
