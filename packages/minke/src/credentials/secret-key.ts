import { createHash, randomBytes } from 'node:crypto';
import { chmod, mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import { SetupError } from '../errors.js';
import { refuseIfOthersCanRead } from '../util/owner-only-file.js';

/** AES-256 takes 32 bytes. */
const keyBytes = 32;

/** One key of the credentials store; its id is stored beside every ciphertext it made. */
export interface SecretKey {
  id: string;
  key: Buffer;
}

/**
 * Where the store's key comes from: `MINKE_SECRET_KEY` (base64 of 32 bytes), else the file named
 * by `MINKE_SECRET_KEY_FILE`, else `.minke/secret.key` in the project. Backups left by a rotation
 * (`<file>.<key id>.old`) sit beside the file and are read too, so that rows a crashed rotation
 * left under the old key still open.
 */
export interface SecretKeySource {
  /** The key itself, from the environment; never written anywhere by Minke. */
  inline?: string | undefined;
  file: string;
}

export function secretKeySource(
  projectDir: string,
  env: Record<string, string | undefined> = process.env,
): SecretKeySource {
  const named = env['MINKE_SECRET_KEY_FILE'];
  const file = named ? (isAbsolute(named) ? named : resolve(projectDir, named)) : undefined;
  return {
    inline: env['MINKE_SECRET_KEY'] || undefined,
    file: file ?? join(projectDir, '.minke', 'secret.key'),
  };
}

/** The key's id: a short digest, so that ids can be compared without showing the key. */
export function keyIdOf(key: Buffer): string {
  return createHash('sha256').update('minke-secret-key').update(key).digest('hex').slice(0, 16);
}

/** The keys the store can open ciphertexts with: the current one, and rotation backups. */
export class SecretKeyring {
  constructor(
    readonly current: SecretKey | undefined,
    private readonly all: ReadonlyMap<string, SecretKey>,
    readonly source: SecretKeySource,
  ) {}

  get(id: string): SecretKey | undefined {
    return this.all.get(id);
  }

  /** Where to look for a key, for messages. */
  describe(): string {
    return this.source.inline !== undefined ? 'MINKE_SECRET_KEY' : this.source.file;
  }
}

/** Reads the keys without creating any: a worker or a reader must never invent a key. */
export async function loadSecretKeyring(source: SecretKeySource): Promise<SecretKeyring> {
  const current =
    source.inline !== undefined
      ? parseKey(source.inline, 'MINKE_SECRET_KEY')
      : await readKeyFile(source.file);
  const all = new Map<string, SecretKey>();
  for (const backup of await readBackups(source.file)) all.set(backup.id, backup);
  if (current) all.set(current.id, current);
  return new SecretKeyring(current, all, source);
}

/** The current key, created (mode 600, in a 700 folder) when there is none yet. */
export async function ensureSecretKey(source: SecretKeySource): Promise<SecretKey> {
  const keyring = await loadSecretKeyring(source);
  if (keyring.current) return keyring.current;
  const key = randomBytes(keyBytes);
  await mkdir(dirname(source.file), { recursive: true, mode: 0o700 });
  try {
    // 'wx': two processes starting together must not both write a key; the loser reads the file.
    await writeFile(source.file, `${key.toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return ensureSecretKey(source);
    throw new SetupError(`cannot create the secret key ${source.file}: ${codeOf(error)}`);
  }
  await chmod(source.file, 0o600);
  return { id: keyIdOf(key), key };
}

/**
 * Replaces the key file with a new key after copying the old one to `<file>.<old id>.old`.
 * The caller re-encrypts the rows next; until then the backup still opens them.
 */
export async function replaceKeyFile(
  source: SecretKeySource,
  old: SecretKey,
): Promise<{ key: SecretKey; backup: string }> {
  if (source.inline !== undefined) {
    throw new SetupError(
      'the secret key comes from MINKE_SECRET_KEY, which Minke cannot change: ' +
        'put it in a file (MINKE_SECRET_KEY_FILE) to rotate it with this command',
    );
  }
  const backup = backupFile(source.file, old.id);
  await writeKey(backup, old.key, 'wx').catch((error: unknown) => {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  });
  const key = randomBytes(keyBytes);
  const temporary = `${source.file}.new`;
  await writeKey(temporary, key, 'w');
  await rename(temporary, source.file);
  return { key: { id: keyIdOf(key), key }, backup };
}

export function backupFile(file: string, id: string): string {
  return `${file}.${id}.old`;
}

async function writeKey(file: string, key: Buffer, flag: 'w' | 'wx'): Promise<void> {
  await writeFile(file, `${key.toString('base64')}\n`, { mode: 0o600, flag });
  await chmod(file, 0o600);
}

async function readKeyFile(file: string): Promise<SecretKey | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new SetupError(`cannot read the secret key ${file}: ${codeOf(error)}`);
  }
  await refuseIfOthersCanRead(file, 'the secret key');
  return parseKey(text, file);
}

async function readBackups(file: string): Promise<SecretKey[]> {
  const folder = dirname(file);
  const prefix = `${basename(file)}.`;
  let names: string[];
  try {
    names = await readdir(folder);
  } catch {
    return [];
  }
  const keys: SecretKey[] = [];
  for (const name of names) {
    if (!name.startsWith(prefix) || !name.endsWith('.old')) continue;
    const key = await readKeyFile(join(folder, name));
    if (key) keys.push(key);
  }
  return keys;
}

function parseKey(text: string, where: string): SecretKey {
  const key = Buffer.from(text.trim(), 'base64');
  if (key.length !== keyBytes || key.toString('base64') !== text.trim()) {
    throw new SetupError(
      `the secret key in ${where} is unusable: expected base64 of ${keyBytes} bytes ` +
        '(make one with: openssl rand -base64 32)',
    );
  }
  return { id: keyIdOf(key), key };
}

function codeOf(error: unknown): string {
  return (error as NodeJS.ErrnoException).code ?? (error as Error).message;
}
