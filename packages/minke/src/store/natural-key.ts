import { sql, type RawBuilder } from 'kysely';
import { NATURAL_KEY_DIGITS, NATURAL_KEY_FUNCTION } from '../util/natural-sort.js';

/**
 * A text column's natural sort key as SQL (`node-2` before `node-10`). SQLite calls
 * `naturalSortKey` (registered on its connections); PostgreSQL computes the same key with two
 * regular expressions, compared in the "C" collation (bytes, as SQLite's BINARY), so both
 * databases give one order. Lists order by it and indexes are built on it (`naturalKeyIndex`):
 * the two must be the same SQL for the database to read a page off the index.
 */
export function naturalKey(kind: 'sqlite' | 'postgres', column: string): RawBuilder<string> {
  if (kind === 'sqlite') return sql<string>`${sql.raw(NATURAL_KEY_FUNCTION)}(${sql.ref(column)})`;
  const pad = sql.raw(`'${'0'.repeat(NATURAL_KEY_DIGITS)}\\1'`);
  const strip = sql.raw(`'0*([0-9]{${NATURAL_KEY_DIGITS}})'`);
  return sql<string>`regexp_replace(regexp_replace(${sql.ref(column)}, '([0-9]+)', ${pad}, 'g'), ${strip}, '\\1', 'g') COLLATE "C"`;
}

/**
 * `CREATE INDEX IF NOT EXISTS` on a text column's natural key, then the column and the id: the
 * order of a list sorted by that column, so that a page of it is read from the index instead of
 * computing and sorting the key of every row (100,000 rows: hundreds of ms on every request).
 */
export function naturalKeyIndex(
  kind: 'sqlite' | 'postgres',
  index: string,
  table: string,
  column: string,
): RawBuilder<unknown> {
  return sql`CREATE INDEX IF NOT EXISTS ${sql.id(index)} ON ${sql.table(table)} ((${naturalKey(kind, column)}), ${sql.ref(column)}, ${sql.ref('id')})`;
}
