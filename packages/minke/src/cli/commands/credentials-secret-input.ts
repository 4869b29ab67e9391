import { readFile } from 'node:fs/promises';
import { UsageError } from '../cli-error.js';
import { askHidden } from '../prompt.js';
import type { CredentialSecret, CredentialType } from '../../credentials/credential-secret.js';

export interface SecretInputOptions {
  type: CredentialType;
  fromFile?: string;
}

/**
 * Reads a new credential's secret, never from argv: from `--from-file` (a key file, or a file
 * holding a password), else the MINKE_SECRET variable, else a hidden prompt at a terminal. An SSH
 * key's passphrase comes from MINKE_SECRET_PASSPHRASE, or a prompt when the key is encrypted.
 */
export async function readCredentialSecret(
  options: SecretInputOptions,
  env: NodeJS.ProcessEnv = process.env,
): Promise<CredentialSecret> {
  const text = await readSecretText(options, env);
  if (options.type === 'password') return { type: 'password', password: text };
  const passphrase = env['MINKE_SECRET_PASSPHRASE'] || (await askPassphraseIfEncrypted(text));
  return passphrase === undefined
    ? { type: 'ssh-key', privateKey: text }
    : { type: 'ssh-key', privateKey: text, passphrase };
}

async function readSecretText(options: SecretInputOptions, env: NodeJS.ProcessEnv) {
  if (options.fromFile !== undefined) {
    try {
      // A password file usually ends with a newline that is not part of the password.
      const text = await readFile(options.fromFile, 'utf8');
      return options.type === 'password' ? text.replace(/\r?\n$/, '') : text;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
      throw new UsageError(`cannot read ${options.fromFile}: ${code}`);
    }
  }
  const fromEnv = env['MINKE_SECRET'];
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  if (!process.stdin.isTTY) {
    throw new UsageError(
      `no ${options.type === 'password' ? 'password' : 'private key'}: use --from-file FILE, ` +
        'set MINKE_SECRET, or run this at a terminal to be asked',
    );
  }
  if (options.type === 'ssh-key') {
    throw new UsageError('an SSH key is read from a file: use --from-file KEYFILE');
  }
  const first = await askHidden('Password: ');
  const second = await askHidden('Password (again): ');
  if (first !== second) throw new UsageError('the two passwords differ');
  return first;
}

async function askPassphraseIfEncrypted(privateKey: string): Promise<string | undefined> {
  if (!process.stdin.isTTY || !(await needsPassphrase(privateKey))) return undefined;
  return askHidden('Key passphrase: ');
}

/** Whether ssh2 refuses the key for want of a passphrase (other faults are reported later). */
async function needsPassphrase(privateKey: string): Promise<boolean> {
  // Loaded here, not at start-up: every command (even --help) registers this file's command.
  // ssh2 is CommonJS: Node's ESM loader sees only its default export.
  const { default: ssh2 } = await import('ssh2');
  const parsed = ssh2.utils.parseKey(Buffer.from(privateKey));
  return parsed instanceof Error && /passphrase|encrypted/i.test(parsed.message);
}
