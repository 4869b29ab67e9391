import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { expandHome } from './expand-home.js';

/**
 * Where a password or passphrase comes from. Configs (and so the database) only ever hold this
 * reference; the secret itself is read at connect time and kept in memory no longer than needed.
 * `credential` names an entry of the project's encrypted credentials store.
 *
 * @example
 *   password: { env: 'WEB1_SSH_PASSWORD' }
 *   passphrase: { file: '~/.config/minke/deploy-key.pass' }
 *   sudo: { password: { credential: 'db-root' } }
 */
export type SecretRef = { env: string } | { file: string } | { credential: string };

/** A credential's name: what `{ credential: NAME }` and `use_credential:NAME` spell. */
export const credentialNameSchema = z
  .string()
  .regex(
    /^[a-z0-9][a-z0-9._-]{0,62}$/,
    'a credential name: lower-case letters, digits, ".", "_" and "-", at most 63',
  );

export const secretRefSchema = z.union([
  z.strictObject({
    env: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name'),
  }),
  z.strictObject({ file: z.string().min(1) }),
  z.strictObject({ credential: credentialNameSchema }),
]);

/**
 * Reads credentials from the encrypted store, at use. Implemented by the credentials store; the
 * transport only sees this, so that it never touches the key or the database.
 */
export interface CredentialReader {
  /** The secret of a `password` credential. */
  password(name: string): Promise<string>;
  /** The private key (OpenSSH or PEM text) of an `ssh-key` credential, and its passphrase. */
  sshKey(name: string): Promise<{ privateKey: string; passphrase?: string | undefined }>;
}

/** A secret could not be read; says which reference, never the value. */
export class SecretUnavailable extends Error {}

export async function resolveSecret(
  ref: SecretRef,
  credentials?: CredentialReader,
): Promise<string> {
  if ('credential' in ref) {
    if (!credentials) {
      throw new SecretUnavailable(
        `credential ${ref.credential} cannot be read here: no credentials store was given`,
      );
    }
    return credentials.password(ref.credential);
  }
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
  credentials?: CredentialReader,
): Promise<string | undefined> {
  return ref === undefined ? undefined : resolveSecret(ref, credentials);
}
