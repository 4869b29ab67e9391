import type { SecretRef } from '@minke/contract';
import { InputError } from '../errors.js';

/** Reads a password credential's secret by name (the project's credentials store). */
export type CredentialPasswords = (name: string) => Promise<string>;

/**
 * A channel's secret at delivery time: from the credentials store or the environment; never
 * kept in the config, the database or the log.
 */
export async function secretOf(ref: SecretRef, passwords: CredentialPasswords): Promise<string> {
  if ('env' in ref) {
    const value = process.env[ref.env];
    if (value === undefined || value === '')
      throw new InputError(`the environment variable ${ref.env} is not set`);
    return value;
  }
  return passwords(ref.credential);
}
