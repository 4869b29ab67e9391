import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A fresh temporary directory and a function that removes it. */
export async function tempDir(
  prefix = 'minke-agent-test-',
): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** Writes `files` (name -> content) into `dir`. */
export async function writeFiles(dir: string, files: Record<string, string>): Promise<void> {
  for (const [name, content] of Object.entries(files)) {
    await writeFile(join(dir, name), content, { mode: 0o644 });
  }
}

/** A plugin command that runs this Node binary with a script, quoted for split-argv. */
export function nodeCommand(script: string): string {
  return `${quote(process.execPath)} -e ${quote(script)}`;
}

function quote(word: string): string {
  return `'${word.replace(/'/g, `'"'"'`)}'`;
}
