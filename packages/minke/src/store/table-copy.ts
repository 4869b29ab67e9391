import type { DatabaseHandle } from './transaction.js';

/**
 * The writes of `minke db copy`, which fills a new database with another's rows as they are:
 * every table, each named at run time. The project's live tables are written by their stores
 * only (`table-owners.test.ts`); these two run inside the copy's transaction on the new database.
 */
export async function clearTables(into: DatabaseHandle, tables: readonly string[]): Promise<void> {
  // Reversed insert order: rows that point at others go first.
  for (const table of [...tables].reverse()) await into.db.deleteFrom(table).execute();
}

/**
 * Inserts rows whose columns are the table's own: Minke's tables through the typed view (its
 * column plugin stores booleans, dates and JSON as this backend does), models' as given.
 */
export async function insertRows(
  into: DatabaseHandle,
  table: string,
  rows: readonly Record<string, unknown>[],
  view: 'tables' | 'db',
): Promise<void> {
  const db = view === 'tables' ? (into.tables as unknown as DatabaseHandle['db']) : into.db;
  await db
    .insertInto(table)
    .values([...rows])
    .execute();
}
