import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { parsePluginFile } from './parse-plugin-file.js';
import type { Plugin, PluginSet } from './plugin.js';

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
  const byName = new Map<string, Plugin>();
  for (const file of names) {
    const loaded = await loadFile(dir, file);
    set.rejected.push(...loaded.rejected);
    for (const plugin of loaded.plugins) {
      const first = byName.get(plugin.name);
      if (first) {
        const section = plugin.source.slice(file.length + 1);
        set.rejected.push({
          file,
          reason: `${section} plugin "${plugin.name}" is already defined in ${first.source}`,
        });
        continue;
      }
      byName.set(plugin.name, plugin);
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

async function loadFile(dir: string, file: string): Promise<PluginSet> {
  const path = join(dir, file);
  const refuse = (reason: string): PluginSet => ({ plugins: [], rejected: [{ file, reason }] });
  try {
    const info = await stat(path);
    if (!info.isFile()) return { plugins: [], rejected: [] };
    if (info.size > MAX_FILE_BYTES)
      return refuse(`is ${info.size} bytes; a plugin file is at most ${MAX_FILE_BYTES}`);
    // Whoever can write a plugin file chooses what the agent runs.
    if (process.platform !== 'win32' && (info.mode & 0o002) !== 0) {
      return refuse('is writable by every user; fix with chmod o-w');
    }
    return parsePluginFile(await readFile(path, 'utf8'), file);
  } catch (error) {
    return refuse(`cannot be read: ${describeFsError(error)}`);
  }
}

function describeFsError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'does not exist';
  if (code === 'ENOTDIR') return 'is not a directory';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  return (error as Error).message;
}
