import { sql, type Expression, type RawBuilder, type SqlBool } from 'kysely';
import type { StoreAdapter } from '../store/adapter.js';

/**
 * `left` contains `text` (or starts with it), in any case on both databases (SQLite's LIKE,
 * PostgreSQL's ILIKE on the text of the value); LIKE's wildcards in `text` match only themselves.
 *
 * @example textMatch(adapter, sql.ref('minke_agents.node'), '50%', 'contains')
 */
export function textMatch(
  adapter: Pick<StoreAdapter, 'kind' | 'containsOperator'>,
  left: Expression<unknown>,
  text: string,
  how: 'contains' | 'startswith',
): RawBuilder<SqlBool> {
  const escaped = text.replace(/[\\%_]/g, (c) => `\\${c}`);
  const pattern = how === 'contains' ? `%${escaped}%` : `${escaped}%`;
  const op = sql.raw(adapter.containsOperator);
  const target = adapter.kind === 'postgres' ? sql`CAST(${left} AS TEXT)` : left;
  return sql<SqlBool>`${target} ${op} ${pattern} ESCAPE '\\'`;
}
