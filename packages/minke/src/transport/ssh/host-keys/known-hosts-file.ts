import { appendFile, mkdir, readFile, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { expandHome } from '../../config/expand-home.js';
import type { HostKey } from './host-key.js';
import { type KnownHostEntry, formatKnownHostsLine, parseKnownHosts } from './known-hosts.js';

/** Reads every existing file of the list; missing files simply know no hosts. */
export async function readKnownHostsFiles(files: readonly string[]): Promise<KnownHostEntry[]> {
  const all = await Promise.all(
    files.map(async (file) => {
      try {
        return await parsedFile(expandHome(file), file);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
        throw error;
      }
    }),
  );
  return all.flat();
}

const parsed = new Map<string, { version: string; entries: Promise<KnownHostEntry[]> }>();

/**
 * The file's entries, parsed again only when its size or mtime changed. Connections that start
 * together share one read: the first to miss files the parse it started, the others wait for it.
 */
async function parsedFile(path: string, label: string): Promise<KnownHostEntry[]> {
  const info = await stat(path);
  const version = `${info.ino}:${info.size}:${info.mtimeMs}`;
  const hit = parsed.get(path);
  if (hit?.version === version) return hit.entries;
  const entries = readFile(path, 'utf8').then((text) => parseKnownHosts(text, label));
  parsed.set(path, { version, entries });
  // A failed read is not kept: the next connection tries again.
  entries.catch(() => {
    if (parsed.get(path)?.entries === entries) parsed.delete(path);
  });
  return entries;
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
