import { sql, type RawBuilder } from 'kysely';
import { NATURAL_KEY_DIGITS, NATURAL_KEY_FUNCTION } from '../util/natural-sort.js';

/**
 * A text column's natural sort key as SQL, for `ORDER BY` (`node-2` before `node-10`); ties are
 * left to the caller. SQLite calls `naturalSortKey` (registered on its connections); PostgreSQL
 * computes the same key with two regular expressions, compared in the "C" collation (bytes, as
 * SQLite's BINARY), so both databases give one order.
 */
export function naturalOrder(kind: 'sqlite' | 'postgres', column: string): RawBuilder<string> {
  if (kind === 'sqlite') return sql<string>`${sql.raw(NATURAL_KEY_FUNCTION)}(${sql.ref(column)})`;
  const pad = sql.raw(`'${'0'.repeat(NATURAL_KEY_DIGITS)}\\1'`);
  const strip = sql.raw(`'0*([0-9]{${NATURAL_KEY_DIGITS}})'`);
  return sql<string>`regexp_replace(regexp_replace(${sql.ref(column)}, '([0-9]+)', ${pad}, 'g'), ${strip}, '\\1', 'g') COLLATE "C"`;
}
