import { sql } from 'kysely';
import type { Database } from '../store/database.js';
import { trigramExtension } from '../store/postgres/trigram-extension.js';
import type { ModelDefinition } from './define-model.js';
import { columnOf, type ModelRegistry } from './model-registry.js';
import type { SchemaChange } from './schema-sync.js';

/** PostgreSQL's longest name; a longer one is cut, so the check for an index must cut it too. */
const MAX_NAME_LENGTH = 63;
const SUFFIX = '_trgm';

export interface SearchIndexes {
  /** Each index made or dropped by this call. */
  changes: SchemaChange[];
  /** Why the search fields have no index, for `minke migrate` to say; undefined when they do. */
  note?: string;
}

interface Wanted {
  model: ModelDefinition;
  column: string;
  name: string;
}

/**
 * On PostgreSQL, a trigram index on each text search field of every model, Host included: a
 * list's `?search=` (and `~` on those fields) is `ILIKE '%…%'`, which without one reads every
 * row (10,000 hosts and 90,000 Services: a p95 over 50 ms). A field no longer searched loses
 * its index. SQLite has none; search there stays a scan.
 */
export async function syncSearchIndexes(
  database: Database,
  registry: ModelRegistry,
): Promise<SearchIndexes> {
  if (database.adapter.kind !== 'postgres') return { changes: [] };
  const models = [...registry.models.values()];
  const wanted = models.flatMap(searchIndexesOf);
  const existing = await trigramIndexes(database, models);
  const changes: SchemaChange[] = [];
  const wantedNames = new Set(wanted.map((index) => index.name));
  for (const index of existing) {
    if (wantedNames.has(index.name)) continue;
    await sql`DROP INDEX IF EXISTS ${sql.id(index.name)}`.execute(database.db);
    changes.push({ model: index.model, action: 'drop search index', column: index.column });
  }
  const existingNames = new Set(existing.map((index) => index.name));
  const missing = wanted.filter((index) => !existingNames.has(index.name));
  if (missing.length === 0) return { changes };
  const extension = await trigramExtension(database.db);
  if ('missing' in extension) {
    return {
      changes,
      note: `search reads every row: PostgreSQL's pg_trgm extension is not installed (${extension.missing}); as the database's owner run \`CREATE EXTENSION pg_trgm;\`, then \`minke migrate\``,
    };
  }
  const opclass = sql`${sql.id(extension.schema)}.gin_trgm_ops`;
  for (const { model, column, name } of missing) {
    await sql`CREATE INDEX IF NOT EXISTS ${sql.id(name)} ON ${sql.table(model.table)} USING gin (${sql.ref(column)} ${opclass})`.execute(
      database.db,
    );
    changes.push({ model: model.name, action: 'add search index', column });
  }
  return { changes };
}

function searchIndexesOf(model: ModelDefinition): Wanted[] {
  return model.searchFields.flatMap((field) => {
    const definition = model.fields[field];
    if (definition?.kind !== 'text') return [];
    const column = columnOf(field, definition);
    return [{ model, column, name: indexName(model, column) }];
  });
}

function indexName(model: ModelDefinition, column: string): string {
  return `${model.table}_${column}${SUFFIX}`.slice(0, MAX_NAME_LENGTH);
}

/** The trigram indexes this module made on the models' tables (by their name's pattern). */
async function trigramIndexes(
  database: Database,
  models: ModelDefinition[],
): Promise<{ name: string; model: string; column: string }[]> {
  const byTable = new Map(models.map((model) => [model.table, model]));
  // The catalogs alone, read in the query's snapshot: `pg_indexes` calls pg_get_indexdef on
  // every index of the database before the schema filter may apply, and fails with "could not
  // open relation" when another session drops an index meanwhile (another schema's migration).
  const { rows } = await sql<{ name: string; table: string }>`
    SELECT DISTINCT i.relname AS name, t.relname AS table
    FROM pg_index x
    JOIN pg_class i ON i.oid = x.indexrelid
    JOIN pg_class t ON t.oid = x.indrelid
    JOIN pg_namespace n ON n.oid = i.relnamespace
    JOIN pg_opclass o ON o.oid = ANY (x.indclass::oid[])
    WHERE n.nspname = current_schema() AND o.opcname = 'gin_trgm_ops'`.execute(database.db);
  return rows.flatMap((row) => {
    const model = byTable.get(row.table);
    if (!model || !row.name.endsWith(SUFFIX)) return [];
    const column = row.name.slice(model.table.length + 1, -SUFFIX.length);
    return [{ name: row.name, model: model.name, column }];
  });
}
