import { readFile } from 'node:fs/promises';
import { UsageError } from '../cli-error.js';
import { askHidden } from '../prompt.js';
import type { CredentialSecret, CredentialType } from '../../credentials/credential-secret.js';

export interface SecretInputOptions {
  type: CredentialType;
  fromFile?: string;
}

/**
 * Reads a new credential's secret, never from argv: from `--from-file` (a key file, a file
 * holding a password, or `-` for standard input), else the MINKE_SECRET variable, else a hidden prompt at a terminal. An SSH
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
    const text = await readSecretFile(options.fromFile);
    // A password file usually ends with a newline that is not part of the password.
    const secret = options.type === 'password' ? text.replace(/\r?\n$/, '') : text;
    if (secret === '') throw new UsageError(`--from-file ${options.fromFile}: it is empty`);
    return secret;
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

/** The file's text; `-` is standard input: a password manager's output piped in. */
async function readSecretFile(file: string): Promise<string> {
  try {
    return file === '-' ? await readStdin() : await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new UsageError(`cannot read ${file}: ${code}`);
  }
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
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
