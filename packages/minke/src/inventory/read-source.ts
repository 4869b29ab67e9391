import { readFile, stat } from 'node:fs/promises';
import { extname, resolve } from 'node:path';
import type { InventorySourceDefinition } from '../config/define-inventory-source.js';
import { InputError } from '../errors.js';
import { expandHome } from '../transport/config/expand-home.js';
import { fetchUrl } from './fetch-url.js';
import type { InventoryFormat } from './parse-inventory.js';
import { runCommand } from './run-command.js';

/**
 * Reads a source's text and says how to parse it: the source's `format`, else the file's or the
 * URL's extension (or its content type), JSON for a command, the OpenSSH format for `sshConfig`.
 */
export async function readSource(
  source: InventorySourceDefinition,
  projectDir: string,
): Promise<{ text: string; format: InventoryFormat }> {
  const limits = { timeoutMs: source.timeoutMs, maxBytes: source.maxBytes };
  const from = source.from;
  if ('sshConfig' in from) {
    const text = await readCapped(resolve(projectDir, expandHome(from.sshConfig)), limits.maxBytes);
    return { text, format: 'ssh-config' };
  }
  if ('command' in from) {
    const text = await runCommand(from.command, { cwd: projectDir, ...limits });
    return { text, format: source.format ?? 'json' };
  }
  if ('url' in from) {
    const { text, contentType } = await fetchUrl(from.url, limits);
    const path = new URL(from.url).pathname;
    return { text, format: source.format ?? formatOf(path) ?? formatOfType(contentType) };
  }
  const text = await readCapped(resolve(projectDir, from.file), limits.maxBytes);
  const format = source.format ?? formatOf(from.file);
  if (!format)
    throw new InputError(`${from.file}: say its format (csv, yaml or json): the name does not`);
  return { text, format };
}

async function readCapped(path: string, maxBytes: number): Promise<string> {
  let size: number;
  try {
    size = (await stat(path)).size;
  } catch (error) {
    throw new InputError(
      `${path}: cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
    );
  }
  if (size > maxBytes)
    throw new InputError(`${path}: ${size} bytes, more than the ${maxBytes} allowed`);
  return readFile(path, 'utf8');
}

function formatOf(path: string): InventoryFormat | undefined {
  const ext = extname(path).toLowerCase();
  if (ext === '.csv') return 'csv';
  if (ext === '.yaml' || ext === '.yml') return 'yaml';
  if (ext === '.json') return 'json';
  return undefined;
}

function formatOfType(contentType: string): InventoryFormat {
  if (contentType.includes('csv')) return 'csv';
  if (contentType.includes('yaml')) return 'yaml';
  return 'json';
}
