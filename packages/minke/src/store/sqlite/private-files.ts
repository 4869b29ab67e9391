import { chmodSync, closeSync, lstatSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';

/** Told when a path was looser than it must be and has been tightened (to be logged). */
export type PermissionNotice = (fields: { path: string; was: string; now: string }) => void;

/**
 * Tightens `path` to `mode` when others (group or world) have more than `mode` gives them; a path
 * that does not exist is left alone. Windows has no such modes: nothing to do there.
 */
export function tightenMode(path: string, mode: number, notice?: PermissionNotice): void {
  if (process.platform === 'win32') return;
  let current: number;
  try {
    const info = lstatSync(path);
    // Never follow a link: chmod would change whatever it points at.
    if (info.isSymbolicLink()) return;
    current = info.mode & 0o777;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  if ((current & ~mode & 0o077) === 0) return;
  chmodSync(path, mode);
  notice?.({ path, was: octal(current), now: octal(mode) });
}

/**
 * Makes sure the SQLite file and its `-wal` and `-shm` companions are the owner's only (0600):
 * they hold password hashes, agent credential hashes and all command output. A new file is
 * created empty with mode 0600 before SQLite opens it (SQLite gives the `-wal` and `-shm` files
 * the database file's mode); existing files that are looser are tightened, and `notice` is told.
 * A folder created for the file is 0700.
 */
export function prepareSqliteFile(file: string, notice?: PermissionNotice): void {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  try {
    closeSync(openSync(file, 'wx', 0o600));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  tightenSqliteFiles(file, notice);
}

/** The database file and its companions, tightened to 0600 where they exist. */
export function tightenSqliteFiles(file: string, notice?: PermissionNotice): void {
  for (const path of [file, `${file}-wal`, `${file}-shm`]) tightenMode(path, 0o600, notice);
}

function octal(mode: number): string {
  return `0${mode.toString(8).padStart(3, '0')}`;
}
