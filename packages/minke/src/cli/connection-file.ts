import { readFile, stat } from 'node:fs/promises';
import { UsageError } from './cli-error.js';

/**
 * Reads `minke run --connection-file F`: run-time connection values (YAML or JSON mapping), e.g.
 * `sudo: { password: ... }`. Secrets come from a file, never from argv; the file must be readable
 * by its owner only, as ssh demands of a private key.
 *
 * @example
 *   await readConnectionFile('sudo.yaml') // => { sudo: { password: '…' } }
 */
export async function readConnectionFile(file: string): Promise<Record<string, unknown>> {
  let mode: number;
  try {
    mode = (await stat(file)).mode;
  } catch {
    throw new UsageError(`--connection-file ${file}: cannot be read`);
  }
  if ((mode & 0o077) !== 0)
    throw new UsageError(
      `--connection-file ${file}: readable by others (mode ${(mode & 0o777).toString(8)}); chmod 600 ${file}`,
    );
  // Loaded here, not at the top: every command's start-up (even `--help`) imports this module.
  const { parse } = await import('yaml');
  let value: unknown;
  try {
    value = parse(await readFile(file, 'utf8')) as unknown;
  } catch {
    // The parser's message may quote the file's text: a secret. Name the file only.
    throw new UsageError(`--connection-file ${file}: not valid YAML or JSON`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new UsageError(`--connection-file ${file}: expected a mapping of connection settings`);
  return value as Record<string, unknown>;
}
