import { join } from 'node:path';
import type { ResolvedConfig } from '../config/resolve-config.js';
import { buildModelRegistry } from '../model/model-registry.js';
import { modelSchemasInSync, syncModelSchemas, type SchemaChange } from '../model/schema-sync.js';
import { syncSearchIndexes } from '../model/search-indexes.js';
import { HostOperations } from '../operations/hosts.js';
import { UserOperations } from '../operations/users.js';
import { PermissionOperations, projectPermissions } from '../operations/permissions.js';
import type { Project } from '../operations/project.js';
import { SetupError } from '../errors.js';
import type { Logger } from '../logger.js';
import { buildSessionRegistry } from '../session/session-registry.js';
import { openDatabase } from '../store/open-database.js';
import { assertMigrated, migrateToLatest } from '../store/migrate.js';
import { RecordRepository } from '../records/record-repository.js';
import { tightenMode, type PermissionNotice } from '../store/sqlite/private-files.js';

export interface OpenProjectOptions {
  /** Apply migrations and sync model tables (what `minke migrate` and `minke start` do). */
  migrate?: boolean;
  dropColumns?: readonly string[];
  /** PostgreSQL schema to work in (tests). */
  schema?: string;
  /** Hears of private files made private again (a pino logger on stderr when absent). */
  logger?: Logger;
}

export interface OpenedProject extends Project {
  /** Migrations applied and table changes made while opening (with `migrate`). */
  readonly applied: {
    migrations: string[];
    changes: SchemaChange[];
    permissions: string[];
    /** Trigram indexes on search fields made or dropped (PostgreSQL only). */
    searchIndexes: SchemaChange[];
    /** What the user should know and may act on (e.g. search without an index). */
    notes: string[];
  };
}

/**
 * Opens a project's database, checks its models, and either migrates or insists that it is
 * migrated already, so that no command works on a schema older than the code.
 */
export async function openProject(
  config: ResolvedConfig,
  options: OpenProjectOptions = {},
): Promise<OpenedProject> {
  const models = buildModelRegistry(config.models);
  const sessions = buildSessionRegistry(config.sessions, models);
  const notice = permissionNotice(options.logger);
  // The project's own keys and state live in .minke/: the owner's only.
  tightenMode(join(config.projectDir, '.minke'), 0o700, notice);
  const database = await openDatabase(config.database.url, {
    baseDir: config.projectDir,
    password: config.database.password,
    poolSize: config.database.poolSize,
    schema: options.schema,
    onPermissionFix: notice,
    mustExist: !options.migrate,
  });
  try {
    const applied = {
      migrations: [] as string[],
      changes: [] as SchemaChange[],
      permissions: [] as string[],
      searchIndexes: [] as SchemaChange[],
      notes: [] as string[],
    };
    if (options.migrate) {
      applied.migrations = await migrateToLatest(database);
      applied.changes = await syncModelSchemas(database, models, {
        dropColumns: options.dropColumns ?? [],
      });
      const search = await syncSearchIndexes(database, models);
      applied.searchIndexes = search.changes;
      if (search.note) applied.notes.push(search.note);
      // As Django does after migrating: every model and session has its permissions.
      applied.permissions = (
        await new PermissionOperations(database).sync(projectPermissions(models, sessions))
      ).created;
    } else {
      await assertMigrated(database);
      const stale = await modelSchemasInSync(database, models);
      if (stale.length > 0) {
        throw new SetupError(
          `model(s) ${stale.join(', ')} changed since the last migration: run \`minke migrate\``,
        );
      }
    }
    const records = new RecordRepository(database, models);
    return {
      config,
      database,
      models,
      sessions,
      records,
      hosts: new HostOperations(database, records, config.ssh),
      users: new UserOperations(database),
      permissions: new PermissionOperations(database),
      applied,
      close: () => database.close(),
    };
  } catch (error) {
    await database.close();
    throw error;
  }
}

/**
 * Logs each tightened path once, as a warning. A logger (pino) is made only when one is needed:
 * loading it cost every project command for a warning that is seldom written.
 */
function permissionNotice(logger: Logger | undefined): PermissionNotice {
  let log: Promise<Logger> | undefined = logger && Promise.resolve(logger);
  return (fields) => {
    log ??= import('../logger.js').then(({ createLogger }) => createLogger());
    void log.then((ready) =>
      ready.warn(
        fields,
        `${fields.path} was readable by others (mode ${fields.was}); made ${fields.now}`,
      ),
    );
  };
}
