import { sql } from 'kysely';
import type { DatabaseHandle } from '../store/transaction.js';
import type { Dialect } from './sql-semantics.js';

const known = new WeakMap<object, Promise<Dialect>>();

/**
 * The database's dialect as the in-memory evaluator needs it: SQLite orders text by its bytes;
 * PostgreSQL does under the C collations only (else text order is left to the database). Asked
 * once per open database.
 */
export function dialectOf(database: DatabaseHandle): Promise<Dialect> {
  const key = database.db;
  let dialect = known.get(key);
  if (!dialect) {
    dialect = readDialect(database);
    known.set(key, dialect);
    // A failed read is asked again next time, not remembered.
    dialect.catch(() => known.delete(key));
  }
  return dialect;
}

async function readDialect(database: DatabaseHandle): Promise<Dialect> {
  if (database.adapter.kind === 'sqlite') return { kind: 'sqlite', bytewiseText: true };
  const row = await sql<{ collation: string }>`
    SELECT datcollate AS collation FROM pg_database WHERE datname = current_database()
  `.execute(database.db);
  const collation = row.rows[0]?.collation ?? '';
  return { kind: 'postgres', bytewiseText: /^(C|POSIX|C\.utf-?8)$/i.test(collation) };
}
