import {
  CompiledQuery,
  SqliteDialect,
  SqliteDriver,
  type DatabaseConnection,
  type Driver,
  type SqliteDialectConfig,
} from 'kysely';

/**
 * Transactions that take SQLite's write lock when they begin (`BEGIN IMMEDIATE`), waiting for
 * another writer through the busy timeout. A plain `BEGIN` reads first and asks for the lock at its
 * first write; if another connection committed meanwhile, SQLite refuses at once ("database is
 * locked", SQLITE_BUSY_SNAPSHOT: waiting cannot help a snapshot that is already old). Two writers
 * are the rule, not the exception: `minke start` writes facts and runs on one connection while its
 * session thread writes the sessions' state on another, and `minke run` writes beside a server.
 */
class ImmediateTransactionDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }
}

export class ImmediateTransactionDialect extends SqliteDialect {
  constructor(private readonly settings: SqliteDialectConfig) {
    super(settings);
  }

  override createDriver(): Driver {
    return new ImmediateTransactionDriver(this.settings);
  }
}
