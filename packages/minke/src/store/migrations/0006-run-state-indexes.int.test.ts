import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql, type Kysely } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { backendFactories } from '../../../test-support/databases.js';

const tmp = mkdtempSync(join(tmpdir(), 'minke-migration-0006-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** The columns of each index on `table`, in index order. */
async function indexColumns(
  db: Kysely<unknown>,
  kind: string,
  table: string,
): Promise<Record<string, string[]>> {
  if (kind === 'sqlite') {
    const list = await sql<{ name: string }>`SELECT name FROM pragma_index_list(${table})`.execute(
      db,
    );
    const out: Record<string, string[]> = {};
    for (const { name } of list.rows) {
      const info = await sql<{
        name: string;
      }>`SELECT name FROM pragma_index_info(${name}) ORDER BY seqno`.execute(db);
      out[name] = info.rows.map((row) => row.name);
    }
    return out;
  }
  const rows = await sql<{ index: string; column: string }>`
    SELECT i.relname AS index, a.attname AS column
    FROM pg_index x
    JOIN pg_class t ON t.oid = x.indrelid
    JOIN pg_class i ON i.oid = x.indexrelid
    JOIN LATERAL unnest(x.indkey) WITH ORDINALITY AS k(attnum, ord) ON true
    JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum
    WHERE t.relname = ${table} AND t.relnamespace = to_regnamespace(current_schema())
    ORDER BY i.relname, k.ord`.execute(db);
  const out: Record<string, string[]> = {};
  for (const row of rows.rows) (out[row.index] ??= []).push(row.column);
  return out;
}

describe.each(backendFactories(() => tmp))('migration 0006 on $name', ({ make }) => {
  it('indexes session records by run and state, and runs by state', async () => {
    const backend = make();
    const project = await backend.open([]);
    try {
      expect(project.applied.migrations).toContain('0006-run-state-indexes');
      const { db, adapter } = project.database;
      // 0021 replaced the index by run and state with one that holds the result too.
      expect(await indexColumns(db, adapter.kind, 'minke_session_records')).toMatchObject({
        minke_session_records_run_state_result: ['run_id', 'process_state', 'result'],
      });
      expect(await indexColumns(db, adapter.kind, 'minke_runs')).toMatchObject({
        minke_runs_state: ['state'],
      });
    } finally {
      await project.close();
      await backend.cleanup();
    }
  });
});
