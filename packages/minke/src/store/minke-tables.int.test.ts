import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { backendFactories } from '../../test-support/databases.js';
import type { Database } from './database.js';
import { minkeColumnKinds, type ColumnKind } from './minke-tables.js';

const tmp = mkdtempSync(join(tmpdir(), 'minke-tables-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** The column type each kind is created with, as each backend reports it. */
const storedAs: Record<'sqlite' | 'postgres', Record<ColumnKind, string>> = {
  sqlite: {
    int: 'integer',
    bigint: 'integer',
    text: 'text',
    bool: 'integer',
    date: 'text',
    json: 'text',
    bytes: 'blob',
  },
  postgres: {
    int: 'integer',
    bigint: 'bigint',
    text: 'text',
    bool: 'boolean',
    date: 'timestamp with time zone',
    json: 'text',
    bytes: 'bytea',
  },
};

/** Kysely's own bookkeeping tables are not Minke's to describe. */
const migratorTables = new Set(['minke_migrations', 'minke_migrations_lock']);

/** Every `minke_*` table of the database: table → column → declared type. */
async function columnsInDatabase(
  database: Database,
): Promise<Record<string, Record<string, string>>> {
  const rows =
    database.adapter.kind === 'sqlite'
      ? await sql<{ table_name: string; column_name: string; data_type: string }>`
          SELECT m.name AS table_name, p.name AS column_name, lower(p.type) AS data_type
          FROM sqlite_master m JOIN pragma_table_info(m.name) p
          WHERE m.type = 'table' AND m.name LIKE 'minke\\_%' ESCAPE '\\'`.execute(database.db)
      : await sql<{ table_name: string; column_name: string; data_type: string }>`
          SELECT table_name, column_name, data_type FROM information_schema.columns
          WHERE table_schema = ${database.schema ?? 'public'} AND table_name LIKE 'minke\\_%'`.execute(
          database.db,
        );
  const tables: Record<string, Record<string, string>> = {};
  for (const row of rows.rows) {
    if (migratorTables.has(row.table_name)) continue;
    (tables[row.table_name] ??= {})[row.column_name] = row.data_type;
  }
  return tables;
}

describe.each(backendFactories(() => tmp))('MinkeTables on $name', ({ make }) => {
  it('names every table and column of the migrated database, with its stored type', async () => {
    const backend = make();
    const project = await backend.open([]);
    try {
      const { database } = project;
      const types = storedAs[database.adapter.kind];
      const expected = Object.fromEntries(
        Object.entries(minkeColumnKinds).map(([table, columns]) => [
          table,
          Object.fromEntries(
            Object.entries(columns).map(([column, kind]) => [column, types[kind]]),
          ),
        ]),
      );
      expect(await columnsInDatabase(database)).toEqual(expected);
    } finally {
      await project.close();
      await backend.cleanup();
    }
  });
});
