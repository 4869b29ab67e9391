import type { KeyObject } from 'node:crypto';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { generateSigningKeyPair, parsePrivateKey, publicKeyToBase64 } from '@minke/protocol';
import { SetupError } from '../errors.js';
import { refuseIfOthersCanRead } from '../util/owner-only-file.js';
import type { Database } from '../store/database.js';

/** The key the server signs agent requests with. */
export interface ServerSigningKey {
  privateKey: KeyObject;
  /** base64 of the raw public key: what agents are enrolled with. */
  publicKeyBase64: string;
  file: string;
}

/**
 * Loads the server's ed25519 signing key from `file` (a PEM file of the project, or
 * `MINKE_SIGNING_KEY_FILE`), creating it (mode 600) on first use. The private key is never put in
 * the database; the database keeps the public key, so that a server started with another key
 * file (a lost or mixed-up file, two servers with different keys) stops with a clear message
 * instead of signing requests that every enrolled agent would drop.
 */
export async function loadSigningKey(database: Database, file: string): Promise<ServerSigningKey> {
  const privateKey = await readOrCreateKeyFile(file);
  const publicKeyBase64 = publicKeyToBase64(privateKey);
  await checkAgainstDatabase(database, publicKeyBase64, file);
  return { privateKey, publicKeyBase64, file };
}

async function readOrCreateKeyFile(file: string): Promise<KeyObject> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new SetupError(`cannot read the signing key ${file}: ${codeOf(error)}`);
    }
    return createKeyFile(file);
  }
  await refuseIfOthersCanRead(file, 'the signing key');
  const parsed = parsePrivateKey(text);
  if (!parsed.ok) throw new SetupError(`the signing key ${file} is unusable: ${parsed.reason}`);
  return parsed.value;
}

async function createKeyFile(file: string): Promise<KeyObject> {
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  const pair = generateSigningKeyPair();
  try {
    // 'wx': two processes starting together must not both write a key; the loser reads the file.
    await writeFile(file, pair.privateKeyPem, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return readOrCreateKeyFile(file);
    throw new SetupError(`cannot create the signing key ${file}: ${codeOf(error)}`);
  }
  await chmod(file, 0o600);
  const parsed = parsePrivateKey(pair.privateKeyPem);
  if (!parsed.ok) throw new SetupError(`cannot read the generated signing key: ${parsed.reason}`);
  return parsed.value;
}

async function checkAgainstDatabase(
  database: Database,
  publicKeyBase64: string,
  file: string,
): Promise<void> {
  const db = database.tables;
  const active = await db
    .selectFrom('minke_signing_keys')
    .select('public_key')
    .where('active', '=', true)
    .executeTakeFirst();
  if (active === undefined) {
    await db
      .insertInto('minke_signing_keys')
      .values({ public_key: publicKeyBase64, active: true })
      .onConflict((oc) => oc.column('public_key').doNothing())
      .execute();
    return;
  }
  if (active.public_key !== publicKeyBase64) {
    throw new SetupError(
      `the signing key ${file} is not the one this project's agents were enrolled with ` +
        `(public key ${active.public_key}): restore that key file, or set ` +
        `MINKE_SIGNING_KEY_FILE to it`,
    );
  }
}

function codeOf(error: unknown): string {
  return (error as NodeJS.ErrnoException).code ?? (error as Error).message;
}
