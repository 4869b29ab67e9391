import {
  type CredentialReader,
  resolveOptionalSecret,
  type SecretRef,
  SecretUnavailable,
} from './secret.js';
import { TransportError } from '../transport-error.js';
import type { SudoOptions } from '../transport.js';

/** The sudo settings of a connection config: who to become and where the password is kept. */
export interface SudoDefaults {
  user?: string;
  password?: SecretRef;
  /** Reads a `{ credential }` password from the store. */
  credentials?: CredentialReader;
}

/**
 * Completes a command's sudo options with the connection's defaults. No `sudo` on the command
 * means no sudo, whatever the defaults say. The password is read from its reference only now,
 * for this command.
 */
export async function completeSudo(
  sudo: SudoOptions | undefined,
  defaults: SudoDefaults,
  target: string,
): Promise<SudoOptions | undefined> {
  if (!sudo) return undefined;
  const result: SudoOptions = {};
  const user = sudo.user ?? defaults.user;
  if (user !== undefined) result.user = user;
  try {
    const password =
      sudo.password ?? (await resolveOptionalSecret(defaults.password, defaults.credentials));
    if (password !== undefined) result.password = password;
  } catch (error) {
    if (error instanceof SecretUnavailable)
      throw new TransportError('config', target, error.message);
    throw error;
  }
  return result;
}
