import type { Stats } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import { expandHome } from '../config/expand-home.js';
import type { FileEnd, OpenedForRead, PathKind } from '../exec/file-end.js';
import { NotARegularFile } from '../exec/transfer-error.js';

/**
 * The files of the Minke machine: the source of a `put` and the destination of a `get`, and
 * the "host" side of the local transport. `~/` means the home of the user Minke runs as.
 */
export const localFiles: FileEnd = {
  target: 'local',

  async kind(path: string): Promise<PathKind> {
    try {
      return kindOf(await stat(expandHome(path)));
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') return 'missing';
      throw error;
    }
  },

  async openRead(path: string): Promise<OpenedForRead> {
    const file = expandHome(path);
    // Checked before opening: opening a FIFO for reading would block until a writer comes.
    const kind = kindOf(await stat(file));
    if (kind !== 'file') throw new NotARegularFile(kind);
    const handle = await open(file, 'r');
    try {
      const { size, mode } = await handle.stat();
      return { stream: handle.createReadStream(), size, kind, mode: mode & 0o7777 };
    } catch (error) {
      await handle.close();
      throw error;
    }
  },

  async openWrite(path: string, mode?: number): Promise<Writable> {
    // A new file is created with `mode` (narrowed by the umask), then any file gets exactly
    // `mode` before a byte is written: an existing file's wider bits never see the new content.
    const handle = await open(expandHome(path), 'w', mode ?? 0o666);
    try {
      if (mode !== undefined) await handle.chmod(mode);
      return handle.createWriteStream();
    } catch (error) {
      await handle.close();
      throw error;
    }
  },
};

function kindOf(stats: Stats): PathKind {
  if (stats.isFile()) return 'file';
  if (stats.isDirectory()) return 'directory';
  return 'other';
}
