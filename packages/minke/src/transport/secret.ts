import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { expandHome } from './expand-home.js';

/**
 * Where a password or passphrase comes from. Configs (and so the database) only ever hold this
 * reference; the secret itself is read at connect time and kept in memory no longer than needed.
 *
 * @example
 *   password: { env: 'WEB1_SSH_PASSWORD' }
 *   passphrase: { file: '~/.config/minke/deploy-key.pass' }
 */
export type SecretRef = { env: string } | { file: string };

export const secretRefSchema = z.union([
  z.strictObject({
    env: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name'),
  }),
  z.strictObject({ file: z.string().min(1) }),
]);

/** A secret could not be read; says which reference, never the value. */
export class SecretUnavailable extends Error {}

export async function resolveSecret(ref: SecretRef): Promise<string> {
  if ('env' in ref) {
    const value = process.env[ref.env];
    if (value === undefined)
      throw new SecretUnavailable(`environment variable ${ref.env} is not set`);
    return value;
  }
  const path = expandHome(ref.file);
  try {
    // A secret file usually ends with a newline that is not part of the secret.
    return (await readFile(path, 'utf8')).replace(/\r?\n$/, '');
  } catch {
    throw new SecretUnavailable(`secret file ${ref.file} cannot be read`);
  }
}

/** Resolves an optional reference; absent stays absent. */
export async function resolveOptionalSecret(
  ref: SecretRef | undefined,
): Promise<string | undefined> {
  return ref === undefined ? undefined : resolveSecret(ref);
}
