import { createRequire } from 'node:module';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely } from 'kysely';
import { NATURAL_KEY_FUNCTION, naturalSortKey } from '../../util/natural-sort.js';
import type { Database } from '../database.js';
import { minkeTablesOf } from '../minke-kysely.js';
import { prepareSqliteFile, tightenSqliteFiles, type PermissionNotice } from './private-files.js';
import { ImmediateTransactionDialect } from './immediate-transactions.js';
import { sqliteAdapter } from './sqlite-adapter.js';

/**
 * Opens (creating if needed) a SQLite file in WAL mode, so that readers (the web UI) never wait
 * for the writer (a running session), with foreign keys enforced. The file and its `-wal` and
 * `-shm` are the owner's only (0600); `notice` hears of any that had to be tightened.
 */
export function openSqlite(file: string, notice?: PermissionNotice): Database {
  if (file !== ':memory:') prepareSqliteFile(file, notice);
  const connection = new BetterSqlite3(file, nativeBinding());
  connection.pragma('journal_mode = WAL');
  // WAL mode has made the companions now; they take the file's mode, checked all the same.
  if (file !== ':memory:') tightenSqliteFiles(file, notice);
  connection.pragma('foreign_keys = ON');
  connection.pragma('busy_timeout = 5000');
  connection.pragma('synchronous = NORMAL');
  // natural ordering of names (node-2 before node-10); PostgreSQL computes the same key in SQL
  connection.function(NATURAL_KEY_FUNCTION, { deterministic: true }, naturalSortKey);
  const db = new Kysely<unknown>({
    dialect: new ImmediateTransactionDialect({ database: withStatementCache(connection) }),
  });
  return {
    db,
    tables: minkeTablesOf(db, sqliteAdapter),
    adapter: sqliteAdapter,
    description: file === ':memory:' ? 'SQLite in memory' : `SQLite ${file}`,
    close: () => db.destroy(),
  };
}

/**
 * better-sqlite3 finds its native module through `bindings`, which tries one folder after another
 * (an exception each) at every start. The place its install builds or unpacks it into is named
 * here; any other layout keeps that search.
 */
function nativeBinding(): { nativeBinding?: string } {
  try {
    const addon = 'better-sqlite3/build/Release/better_sqlite3.node';
    return { nativeBinding: createRequire(import.meta.url).resolve(addon) };
  } catch {
    return {};
  }
}

/**
 * Kysely prepares every query anew; a session run repeats the same few statements thousands of
 * times. Reusing prepared statements by SQL text saves that work (bounded, least recently used).
 */
function withStatementCache(
  connection: BetterSqlite3.Database,
  capacity = 256,
): BetterSqlite3.Database {
  const cache = new Map<string, BetterSqlite3.Statement>();
  const prepare = (sql: string): BetterSqlite3.Statement => {
    const hit = cache.get(sql);
    if (hit) {
      cache.delete(sql);
      cache.set(sql, hit);
      return hit;
    }
    const statement = connection.prepare(sql);
    cache.set(sql, statement);
    if (cache.size > capacity) cache.delete(cache.keys().next().value as string);
    return statement;
  };
  return new Proxy(connection, {
    get(target, property, receiver) {
      if (property === 'prepare') return prepare;
      const value: unknown = Reflect.get(target, property, receiver);
      return typeof value === 'function'
        ? (value as (...args: unknown[]) => unknown).bind(target)
        : value;
    },
  });
}
