import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { expandHome } from './expand-home.js';
import type { HostKey } from './host-key.js';
import { type KnownHostEntry, formatKnownHostsLine, parseKnownHosts } from './known-hosts.js';

/** Reads every existing file of the list; missing files simply know no hosts. */
export async function readKnownHostsFiles(files: readonly string[]): Promise<KnownHostEntry[]> {
  const all = await Promise.all(
    files.map(async (file) => {
      try {
        return parseKnownHosts(await readFile(expandHome(file), 'utf8'), file);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
        throw error;
      }
    }),
  );
  return all.flat();
}

/**
 * Records a newly accepted key (`accept-new`) at the end of the file, creating it and its folder
 * when needed. One `appendFile` per line: O_APPEND keeps concurrent writers from interleaving.
 */
export async function appendKnownHost(file: string, name: string, key: HostKey): Promise<void> {
  const path = expandHome(file);
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const existing = await readFile(path, 'utf8').catch(() => '');
  const separator = existing === '' || existing.endsWith('\n') ? '' : '\n';
  await appendFile(path, `${separator}${formatKnownHostsLine(name, key)}\n`, { mode: 0o644 });
}
