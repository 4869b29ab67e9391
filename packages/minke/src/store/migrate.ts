import { Migrator, type MigrationResultSet } from 'kysely';
import { SetupError } from '../errors.js';
import type { Database } from './database.js';
import { minkeMigrations } from './migrations/index.js';

const migrationTables = {
  migrationTableName: 'minke_migrations',
  migrationLockTableName: 'minke_migrations_lock',
};

function migratorFor(database: Database): Migrator {
  const migrations = minkeMigrations(database.adapter);
  return new Migrator({
    db: database.db,
    provider: { getMigrations: () => Promise.resolve(migrations) },
    ...migrationTables,
    // Named, because Kysely looks for its tables in every schema of the database otherwise, and
    // may find another schema's (another project's, or a parallel test's) and skip creating ours.
    ...(database.schema === undefined ? {} : { migrationTableSchema: database.schema }),
  });
}

/** Applies every pending migration of Minke's own tables; returns the names applied. */
export async function migrateToLatest(database: Database): Promise<string[]> {
  const result: MigrationResultSet = await migratorFor(database).migrateToLatest();
  if (result.error) {
    const failed = result.results?.find((r) => r.status === 'Error');
    throw new SetupError(
      `migration ${failed?.migrationName ?? '(unknown)'} failed: ${String((result.error as Error).message ?? result.error)}`,
      { cause: result.error },
    );
  }
  return (result.results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

/**
 * Names of the migrations not yet applied, in order. Every project command asks this, so it reads
 * the applied names in one query; Kysely's migrator would first introspect every table and column
 * of the database to see whether its table exists, which is asked only when that query fails.
 */
export async function pendingMigrations(database: Database): Promise<string[]> {
  const applied = await appliedMigrations(database);
  return Object.keys(minkeMigrations(database.adapter))
    .sort()
    .filter((name) => !applied.has(name));
}

async function appliedMigrations(database: Database): Promise<Set<string>> {
  const db = database.schema === undefined ? database.db : database.db.withSchema(database.schema);
  try {
    const rows = await db.selectFrom(migrationTables.migrationTableName).select('name').execute();
    return new Set(rows.map((row: { name: string }) => row.name));
  } catch (error) {
    // A database never migrated has no table yet: every migration is pending. Any other failure
    // (the table is there, the query is not) is the error it is.
    if (await migrationTableExists(database)) throw error;
    return new Set();
  }
}

/** Where Kysely's migrator looks for its table (in `database.schema` when one is named). */
async function migrationTableExists(database: Database): Promise<boolean> {
  const tables = await database.db.introspection.getTables({ withInternalKyselyTables: true });
  return tables.some(
    (table) =>
      table.name === migrationTables.migrationTableName &&
      (database.schema === undefined || table.schema === database.schema),
  );
}

/** Throws a setup error telling the user to migrate when the database is behind. */
export async function assertMigrated(database: Database): Promise<void> {
  const pending = await pendingMigrations(database);
  if (pending.length > 0) {
    throw new SetupError(
      `the database (${database.description}) has ${pending.length} pending migration(s): run \`minke migrate\``,
    );
  }
}
