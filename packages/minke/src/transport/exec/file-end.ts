import type { Readable, Writable } from 'node:stream';

/** What is at a path: transfers refuse to read or overwrite anything but a regular file. */
export type PathKind = 'file' | 'directory' | 'other' | 'missing';

export interface OpenedForRead {
  stream: Readable;
  /** Size when opened; a file that grows meanwhile is still capped by `maxBytes`. */
  size: number;
  kind: PathKind;
  /** Permission bits when opened, where the end knows them (a local file does). */
  mode?: number;
}

/**
 * One side of a file transfer: the files of a host (SFTP) or of the Minke machine (node:fs).
 * Errors keep the underlying code (`ENOENT`, SFTP status 2, ...) so `transferError` can name the
 * reason.
 */
export interface FileEnd {
  /** Whose files these are, for error messages (`deploy@web1:22`, `local`). */
  readonly target: string;
  kind(path: string): Promise<PathKind>;
  openRead(path: string): Promise<OpenedForRead>;
  /** Creates or truncates the file; with `mode` the file has exactly these bits before any byte
   * is written, so a secret never sits in a file readable by others. */
  openWrite(path: string, mode?: number): Promise<Writable>;
}
