import type { ParsedKey } from 'ssh2';
import { z } from 'zod';
import { InputError } from '../errors.js';
import { fingerprintOf } from '../transport/ssh/host-keys/host-key.js';
import { ssh2Module } from '../transport/ssh/ssh2-module.js';

export const credentialTypes = ['ssh-key', 'password'] as const;
export type CredentialType = (typeof credentialTypes)[number];

/** What a credential holds, as encrypted: never returned by the API, the CLI or the UI. */
export type CredentialSecret =
  | { type: 'password'; password: string }
  | { type: 'ssh-key'; privateKey: string; passphrase?: string | undefined };

const storedSecret = z.union([
  z.strictObject({ type: z.literal('password'), password: z.string() }),
  z.strictObject({
    type: z.literal('ssh-key'),
    privateKey: z.string(),
    passphrase: z.string().optional(),
  }),
]);

export function parseStoredSecret(json: string): CredentialSecret | undefined {
  try {
    const parsed = storedSecret.safeParse(JSON.parse(json));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Checks a new secret and derives what may be shown of it: an SSH key's public fingerprint
 * (SHA256:…, as `ssh-keygen -l` prints it); nothing for a password. Messages never quote input.
 */
export function checkSecret(
  name: string,
  secret: CredentialSecret,
): { fingerprint: string | null } {
  if (secret.type === 'password') {
    if (secret.password === '') throw new InputError(`credential ${name}: the password is empty`);
    return { fingerprint: null };
  }
  const parsed = ssh2Module().utils.parseKey(Buffer.from(secret.privateKey), secret.passphrase);
  if (parsed instanceof Error) {
    const encrypted = /passphrase|decrypt|encrypted/i.test(parsed.message);
    throw new InputError(
      `credential ${name}: ${
        encrypted
          ? secret.passphrase === undefined
            ? 'the private key is encrypted: give its passphrase'
            : 'the passphrase does not decrypt the private key'
          : 'not a supported private key (OpenSSH or PEM)'
      }`,
    );
  }
  const key = Array.isArray(parsed) ? (parsed as ParsedKey[])[0] : parsed;
  if (!key?.isPrivateKey()) throw new InputError(`credential ${name}: not a private key`);
  return { fingerprint: fingerprintOf(key.getPublicSSH()) };
}
