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

/** Names of the migrations not yet applied. */
export async function pendingMigrations(database: Database): Promise<string[]> {
  const all = await migratorFor(database).getMigrations();
  return all.filter((m) => m.executedAt === undefined).map((m) => m.name);
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
