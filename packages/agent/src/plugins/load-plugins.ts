import { constants } from 'node:fs';
import { open, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { parsePluginFile } from './parse-plugin-file.js';
import type { PluginSet } from './plugin.js';

/** Plugin files end in `.cfg` (Vogeler) or `.ini`; other files in the directory are ignored. */
export const PLUGIN_FILE = /^[^.].*\.(cfg|ini)$/i;

/** Files bigger than this are not plugin definitions. */
const MAX_FILE_BYTES = 256 * 1024;

/**
 * Reads every plugin file in `dir` (not its subdirectories), in name order. The valid plugins are
 * the only ones the agent runs; every refused file or section is in `rejected` with its reason.
 * A name defined twice keeps its first definition. Throws only when `dir` itself cannot be read.
 */
export async function loadPlugins(dir: string): Promise<PluginSet> {
  const names = await listPluginFiles(dir);
  const set: PluginSet = { plugins: [], rejected: [] };
  const fileOf = new Map<string, string>();
  for (const file of names) {
    const loaded = await loadFile(dir, file);
    set.rejected.push(...loaded.rejected);
    for (const plugin of loaded.plugins) {
      const first = fileOf.get(plugin.name);
      if (first !== undefined) {
        // The name passed the plugin-name rule: an identifier the node advertises anyway.
        set.rejected.push({
          file,
          reason: `plugin "${plugin.name}" is already defined in ${first}`,
        });
        continue;
      }
      fileOf.set(plugin.name, file);
      set.plugins.push(plugin);
    }
  }
  return set;
}

async function listPluginFiles(dir: string): Promise<string[]> {
  try {
    const entries = await readdir(dir);
    return entries.filter((name) => PLUGIN_FILE.test(name)).sort();
  } catch (error) {
    throw new Error(`plugin directory ${dir}: ${describeFsError(error)}`, { cause: error });
  }
}

/**
 * Reads one plugin file, refusing what is not a plain file of the directory's own: a symbolic
 * link (it could point at any file the agent can read, and the reason for refusing a file goes
 * to the server), a file with other hard links (the same, by another road), a file every user
 * can write. The file is opened without following links and checked through that same handle,
 * so it cannot be swapped between the check and the read.
 */
async function loadFile(dir: string, file: string): Promise<PluginSet> {
  const path = join(dir, file);
  const refuse = (reason: string): PluginSet => ({ plugins: [], rejected: [{ file, reason }] });
  let handle;
  try {
    // O_NONBLOCK: a FIFO named like a plugin file must not hang the agent.
    handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ELOOP' || code === 'EMLINK') return refuse(SYMLINK_REASON);
    if (code === 'EISDIR') return { plugins: [], rejected: [] };
    return refuse(`cannot be read: ${describeFsError(error)}`);
  }
  try {
    const info = await handle.stat();
    if (!info.isFile()) return { plugins: [], rejected: [] };
    if (info.nlink > 1) {
      return refuse(
        `has ${info.nlink} hard links; a plugin file must have one name (copy it instead of linking)`,
      );
    }
    if (info.size > MAX_FILE_BYTES)
      return refuse(`is ${info.size} bytes; a plugin file is at most ${MAX_FILE_BYTES}`);
    // Whoever can write a plugin file chooses what the agent runs.
    if (process.platform !== 'win32' && (info.mode & 0o002) !== 0) {
      return refuse('is writable by every user; fix with chmod o-w');
    }
    return parsePluginFile(await handle.readFile('utf8'), file);
  } catch (error) {
    return refuse(`cannot be read: ${describeFsError(error)}`);
  } finally {
    await handle.close();
  }
}

const SYMLINK_REASON =
  'is a symbolic link; plugin files must be regular files in the plugin directory (copy it there)';

function describeFsError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'does not exist';
  if (code === 'ENOTDIR') return 'is not a directory';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  return (error as Error).message;
}
