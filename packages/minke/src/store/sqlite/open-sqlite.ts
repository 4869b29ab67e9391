import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import type { Database } from '../database.js';
import { sqliteAdapter } from './sqlite-adapter.js';

/**
 * Opens (creating if needed) a SQLite file in WAL mode, so that readers (the web UI) never wait
 * for the writer (a running session), with foreign keys enforced.
 */
export function openSqlite(file: string): Database {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const connection = new BetterSqlite3(file);
  connection.pragma('journal_mode = WAL');
  connection.pragma('foreign_keys = ON');
  connection.pragma('busy_timeout = 5000');
  connection.pragma('synchronous = NORMAL');
  const db = new Kysely<unknown>({ dialect: new SqliteDialect({ database: connection }) });
  return {
    db,
    adapter: sqliteAdapter,
    description: file === ':memory:' ? 'SQLite in memory' : `SQLite ${file}`,
    close: () => db.destroy(),
  };
}
