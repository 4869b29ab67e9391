import { randomBytes } from 'node:crypto';
import { chmod, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import type { AgentConfigSettings } from '@minke/contract';
import { InputError } from '../errors.js';

export type { AgentConfigSettings };

/**
 * Writes an enrolled agent's config to `out` (YAML, with a header that says what it holds), never
 * readable by others, not even for a moment; returns the file's absolute path.
 */
export async function writeAgentConfig(out: string, config: AgentConfigSettings): Promise<string> {
  const file = resolve(out);
  const { stringify } = await import('yaml');
  const text =
    `# minke-agent configuration for node ${config.node}, written by \`minke agents enroll\`.\n` +
    "# It holds the agent's broker password: keep it mode 600, readable by the agent only.\n" +
    stringify(config);
  await writePrivateFile(file, text);
  return file;
}

async function writePrivateFile(file: string, text: string): Promise<void> {
  const temporary = join(dirname(file), `.${basename(file)}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    await writeFile(temporary, text, { mode: 0o600, flag: 'wx' });
    await chmod(temporary, 0o600);
    await rename(temporary, file);
  } catch (error) {
    await rm(temporary, { force: true });
    throw new InputError(
      `cannot write ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    );
  }
}
