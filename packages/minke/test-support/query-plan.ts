import { CompiledQuery, sql } from 'kysely';
import type { Database } from '../src/store/database.js';

/**
 * The plan the database picks for a compiled query, one line per step: SQLite's `EXPLAIN QUERY
 * PLAN` details, PostgreSQL's `EXPLAIN` lines. `indexesOnly` tells PostgreSQL that scanning and
 * sorting cost more than any index (a test's few rows are cheaper to read whole), so that its plan
 * shows whether an index can serve the query at all.
 */
export async function queryPlan(
  database: Pick<Database, 'db' | 'adapter'>,
  query: CompiledQuery,
  options: { indexesOnly?: boolean } = {},
): Promise<string> {
  const parameters = [...query.parameters];
  if (database.adapter.kind === 'sqlite') {
    const rows = await database.db.executeQuery<{ detail: string }>(
      CompiledQuery.raw(`EXPLAIN QUERY PLAN ${query.sql}`, parameters),
    );
    return rows.rows.map((row) => row.detail).join('\n');
  }
  return database.db.transaction().execute(async (trx) => {
    if (options.indexesOnly) {
      await sql`SET LOCAL enable_seqscan = off`.execute(trx);
      await sql`SET LOCAL enable_sort = off`.execute(trx);
    }
    const rows = await trx.executeQuery<{ 'QUERY PLAN': string }>(
      CompiledQuery.raw(`EXPLAIN ${query.sql}`, parameters),
    );
    return rows.rows.map((row) => row['QUERY PLAN']).join('\n');
  });
}
