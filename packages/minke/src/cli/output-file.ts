import { randomBytes } from 'node:crypto';
import { createWriteStream, rmSync } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { UsageError } from './cli-error.js';

/**
 * Writes `text` to `path` whole or not at all: into a hidden file beside it, renamed over `path`
 * once the last piece is written. A failure on the way (the server gone mid-download, a full
 * disk, Ctrl-C) removes the hidden file and leaves whatever `path` held before.
 */
export async function writeWholeFile(
  path: string,
  text: AsyncIterable<string | Uint8Array>,
): Promise<void> {
  const partial = join(dirname(path), `.${basename(path)}.${randomBytes(4).toString('hex')}`);
  // Ctrl-C while writing: the hidden file goes too, and the exit is an interrupt's.
  const interrupted = () => {
    rmSync(partial, { force: true });
    process.exit(130);
  };
  process.once('SIGINT', interrupted);
  try {
    await pipeline(Readable.from(text), createWriteStream(partial, { flags: 'wx' }));
    await rename(partial, path);
  } catch (error) {
    await rm(partial, { force: true });
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'EACCES' || code === 'EISDIR' || code === 'ENOTDIR')
      throw new UsageError(`cannot write ${path}: ${code}`);
    throw error;
  } finally {
    process.off('SIGINT', interrupted);
  }
}
