import { existsSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { InputError, SetupError, UnavailableError } from '../errors.js';
import type { Database } from './database.js';
import type { PermissionNotice } from './sqlite/private-files.js';

export interface OpenDatabaseOptions {
  /** Relative SQLite paths are resolved against this folder (the project). */
  baseDir: string;
  password?: string | undefined;
  schema?: string | undefined;
  /** PostgreSQL: connections kept open at most. */
  poolSize?: number | undefined;
  /** Told when a database file was readable by others and has been made 0600 (SQLite). */
  onPermissionFix?: PermissionNotice | undefined;
  /**
   * SQLite: a missing file is an error saying to run `minke migrate` instead of a new empty file
   * (what a command that only reads or writes rows wants; `minke migrate` creates it).
   */
  mustExist?: boolean | undefined;
}

/**
 * Opens the database a URL names: `sqlite:minke.db`, `sqlite:///abs/path.db`, `sqlite::memory:`,
 * or `postgres://user@host:5432/db`.
 *
 * @example
 *   const database = await openDatabase('sqlite:minke.db', { baseDir: projectDir });
 */
export async function openDatabase(url: string, options: OpenDatabaseOptions): Promise<Database> {
  // Each driver is loaded only when its database is opened: a CLI command pays for one, not both.
  if (url.startsWith('sqlite:')) {
    const file = sqliteFile(url, options.baseDir);
    if (options.mustExist && file !== ':memory:' && !existsSync(file))
      throw new SetupError(`the database ${file} does not exist yet: run \`minke migrate\``);
    const { openSqlite } = await import('./sqlite/open-sqlite.js');
    return openSqlite(file, options.onPermissionFix);
  }
  if (url.startsWith('postgres://') || url.startsWith('postgresql://')) {
    try {
      const { openPostgres } = await import('./postgres/open-postgres.js');
      return await openPostgres({
        url,
        password: options.password,
        schema: options.schema,
        maxConnections: options.poolSize,
      });
    } catch (error) {
      throw new UnavailableError(
        `cannot reach the database at ${redactUrl(url)}: ${(error as Error).message}`,
        { cause: error },
      );
    }
  }
  throw new InputError(
    `unsupported database URL "${redactUrl(url)}": use sqlite:FILE or postgres://USER@HOST/DB`,
  );
}

function sqliteFile(url: string, baseDir: string): string {
  let path = url.slice('sqlite:'.length);
  if (path === ':memory:') return path;
  if (path.startsWith('//')) path = path.slice(2);
  if (path === '') throw new InputError('the SQLite URL names no file: use sqlite:minke.db');
  return isAbsolute(path) ? path : resolve(baseDir, path);
}

/** The URL without its password, fit for messages and logs. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');
  }
}
