import { sql } from 'kysely';
import type { Database } from '../store/database.js';

/**
 * The tables in an order that lets rows be inserted as they come: every table after the tables
 * its foreign keys point at, as the database's own catalog says (PostgreSQL's `pg_constraint`,
 * SQLite's `pragma_foreign_key_list`), so that a new migration's keys need no list kept by hand.
 * A table's keys to itself are left out (rows go in id order).
 *
 * @example
 *   await insertOrder(database, ['minke_runs', 'minke_users', 'minke_session_records']);
 *   // ['minke_users', 'minke_runs', 'minke_session_records']
 */
export async function insertOrder(
  database: Database,
  tables: readonly string[],
): Promise<string[]> {
  const wanted = new Set(tables);
  const needs = new Map<string, Set<string>>(tables.map((table) => [table, new Set<string>()]));
  for (const { from, to } of await foreignKeys(database, tables)) {
    if (from !== to && wanted.has(from) && wanted.has(to)) needs.get(from)?.add(to);
  }
  const ordered: string[] = [];
  const placed = new Set<string>();
  // Kahn's algorithm, in the given order among the tables that are ready at once.
  while (ordered.length < tables.length) {
    const ready = tables.filter(
      (table) => !placed.has(table) && [...(needs.get(table) ?? [])].every((t) => placed.has(t)),
    );
    if (ready.length === 0) {
      const left = tables.filter((table) => !placed.has(table));
      throw new Error(`foreign keys run round a loop among ${left.join(', ')}`);
    }
    for (const table of ready) {
      ordered.push(table);
      placed.add(table);
    }
  }
  return ordered;
}

async function foreignKeys(
  database: Database,
  tables: readonly string[],
): Promise<{ from: string; to: string }[]> {
  if (database.adapter.kind === 'postgres') {
    const { rows } = await sql<{ from: string; to: string }>`
      SELECT child.relname AS "from", parent.relname AS "to"
      FROM pg_constraint c
      JOIN pg_class child ON child.oid = c.conrelid
      JOIN pg_class parent ON parent.oid = c.confrelid
      JOIN pg_namespace n ON n.oid = child.relnamespace
      WHERE c.contype = 'f' AND n.nspname = current_schema()`.execute(database.db);
    return rows;
  }
  const keys: { from: string; to: string }[] = [];
  for (const table of tables) {
    const { rows } = await sql<{ to: string }>`
      SELECT "table" AS "to" FROM pragma_foreign_key_list(${table})`.execute(database.db);
    for (const row of rows) keys.push({ from: table, to: row.to });
  }
  return keys;
}
