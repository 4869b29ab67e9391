import { readFile } from 'node:fs/promises';
import { UsageError } from './cli-error.js';

/**
 * The text of a file a command was pointed at (`minke load FILE`, `minke hosts import FILE`); one
 * it cannot read is the user's input error, naming the file and why (ENOENT, EACCES).
 */
export async function readInputFile(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    throw new UsageError(
      `cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
    );
  }
}
