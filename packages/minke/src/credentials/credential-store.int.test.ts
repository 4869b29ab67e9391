import { execFileSync } from 'node:child_process';
import { chmod, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { backendFactories, type TestBackend } from '../../test-support/databases.js';
import type { OpenedProject } from '../runtime/open-project.js';
import { SecretUnavailable } from '../transport/config/secret.js';
import { CredentialStore } from './credential-store.js';
import { secretKeySource } from './secret-key.js';

let tmp: string;
let keyFile: string;
let encryptedKeyFile: string;
const password = 'pw-Zq81-never-shown';
const passphrase = 'pass-phrase-7731';

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'minke-credentials-'));
  keyFile = join(tmp, 'id_ed25519');
  encryptedKeyFile = join(tmp, 'id_encrypted');
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'plain', '-f', keyFile]);
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', passphrase, '-f', encryptedKeyFile]);
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

/** What `ssh-keygen -l` prints for a key: the fingerprint the store must show. */
function sshKeygenFingerprint(file: string): string {
  const line = execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', `${file}.pub`], {
    encoding: 'utf8',
  });
  return line.split(' ')[1] ?? '';
}

/** Every row of every table, as text: where a leaked secret would show. */
async function databaseText(project: OpenedProject): Promise<string> {
  const { db } = project.database;
  const tables = (await db.introspection.getTables()).map((t) => t.name);
  const rows = await Promise.all(tables.map((name) => db.selectFrom(name).selectAll().execute()));
  return JSON.stringify(rows);
}

describe.each(backendFactories(() => tmp))('credentials store on $name', ({ make }) => {
  let backend: TestBackend;
  let project: OpenedProject;
  let projectDir: string;
  let store: CredentialStore;

  beforeEach(async () => {
    backend = make();
    project = await backend.open([]);
    projectDir = await mkdtemp(join(tmp, 'project-'));
    store = new CredentialStore(project.database, secretKeySource(projectDir, {}));
  });
  afterEach(async () => {
    await project.close();
    await backend.cleanup();
  });

  it('keeps secrets encrypted, lists only what may be shown, and reveals them for use', async () => {
    const privateKey = await readFile(keyFile, 'utf8');
    await store.create('db-root', { type: 'password', password }, 'alice');
    await store.create('deploy', { type: 'ssh-key', privateKey }, 'alice');

    const list = await store.list();
    expect(list.map((c) => [c.name, c.type, c.fingerprint, c.createdBy])).toEqual([
      ['db-root', 'password', null, 'alice'],
      ['deploy', 'ssh-key', sshKeygenFingerprint(keyFile), 'alice'],
    ]);
    const text = await databaseText(project);
    expect(text).not.toContain(password);
    expect(text).not.toContain(privateKey.split('\n')[1]);
    expect(JSON.stringify(list)).not.toContain(password);

    // The key: generated on first use, 600 in a 700 folder.
    const file = join(projectDir, '.minke', 'secret.key');
    expect(((await stat(file)).mode & 0o777).toString(8)).toBe('600');
    expect(((await stat(join(projectDir, '.minke'))).mode & 0o777).toString(8)).toBe('700');

    const reader = store.reader();
    expect(await reader.password('db-root')).toBe(password);
    expect(await reader.sshKey('deploy')).toEqual({ privateKey, passphrase: undefined });
    await expect(reader.sshKey('db-root')).rejects.toThrow(
      'credential db-root is a password, not an SSH key',
    );
    await expect(reader.password('nope')).rejects.toThrow('credential nope does not exist');
    // Per-credential permission, and gone with its credential.
    const codenames = async () => (await project.permissions.list()).map((p) => p.codename);
    expect(await codenames()).toEqual(
      expect.arrayContaining(['manage_credentials', 'use_credential', 'use_credential:db-root']),
    );
    await store.delete('db-root');
    expect(await codenames()).not.toContain('use_credential:db-root');
  });

  it('refuses bad input with a message that quotes no secret', async () => {
    const encrypted = await readFile(encryptedKeyFile, 'utf8');
    await expect(
      store.create('k1', { type: 'ssh-key', privateKey: encrypted }, null),
    ).rejects.toThrow('credential k1: the private key is encrypted: give its passphrase');
    await expect(
      store.create('k1', { type: 'ssh-key', privateKey: encrypted, passphrase: 'wrong' }, null),
    ).rejects.toThrow('credential k1: the passphrase does not decrypt the private key');
    await expect(
      store.create('k1', { type: 'ssh-key', privateKey: password }, null),
    ).rejects.toThrow('credential k1: not a supported private key (OpenSSH or PEM)');
    await expect(store.create('Bad Name', { type: 'password', password }, null)).rejects.toThrow(
      'credential name "Bad Name": a credential name',
    );
    const made = await store.create(
      'k1',
      { type: 'ssh-key', privateKey: encrypted, passphrase },
      null,
    );
    expect(made.fingerprint).toBe(sshKeygenFingerprint(encryptedKeyFile));
    await expect(store.create('k1', { type: 'password', password }, null)).rejects.toThrow(
      'credential k1 already exists: replace it instead',
    );
    expect((await store.list()).map((c) => c.name)).toEqual(['k1']);
  });

  it('detects a changed or swapped row, and names the credential, not the secret', async () => {
    await store.create('a', { type: 'password', password }, null);
    await store.create('b', { type: 'password', password: 'other-secret' }, null);
    const { db } = project.database;
    const rowOf = (name: string) =>
      db
        .selectFrom('minke_credentials')
        .select(['ciphertext', 'key_id'])
        .where('name', '=', name)
        .executeTakeFirstOrThrow() as Promise<{ ciphertext: string; key_id: string }>;
    const a = await rowOf('a');
    // b's row given a's ciphertext: same key, but bound to another name.
    await db
      .updateTable('minke_credentials')
      .set({ ciphertext: a.ciphertext })
      .where('name', '=', 'b')
      .execute();
    const swapped = store.reader().password('b');
    await expect(swapped).rejects.toThrow(SecretUnavailable);
    await expect(swapped).rejects.toThrow(
      `credential b cannot be decrypted with secret key ${a.key_id}: its stored row was changed or damaged`,
    );
    // One flipped bit of a's ciphertext.
    const bytes = Buffer.from(a.ciphertext, 'base64');
    bytes.writeUInt8((bytes.at(-1) ?? 0) ^ 1, bytes.length - 1);
    await db
      .updateTable('minke_credentials')
      .set({ ciphertext: bytes.toString('base64') })
      .where('name', '=', 'a')
      .execute();
    await expect(store.reader().password('a')).rejects.toThrow('credential a cannot be decrypted');
  });

  it('says which key is missing when started with another key', async () => {
    await store.create('db-root', { type: 'password', password }, null);
    const other = new CredentialStore(project.database, {
      inline: Buffer.alloc(32, 7).toString('base64'),
      file: join(projectDir, 'elsewhere', 'secret.key'),
    });
    const failure = other.reader().password('db-root');
    await expect(failure).rejects.toThrow(
      /^credential db-root was encrypted with secret key [0-9a-f]{16}, which is not loaded \(looked in MINKE_SECRET_KEY, whose key is [0-9a-f]{16}\)/,
    );
    await expect(failure).rejects.not.toThrow(password);
  });

  it('rotates the key: every row re-encrypted, the old key kept as a backup', async () => {
    await store.create('db-root', { type: 'password', password }, null);
    await store.create(
      'deploy',
      { type: 'ssh-key', privateKey: await readFile(keyFile, 'utf8') },
      null,
    );
    const file = join(projectDir, '.minke', 'secret.key');
    const oldKey = await readFile(file, 'utf8');
    const done = await store.rotateKey();
    expect(done.count).toBe(2);
    expect(done.newKeyId).not.toBe(done.oldKeyId);
    expect(await readFile(done.backup, 'utf8')).toBe(oldKey);
    expect(((await stat(done.backup)).mode & 0o777).toString(8)).toBe('600');
    expect((await store.list()).map((c) => c.keyId)).toEqual([done.newKeyId, done.newKeyId]);
    // With the backup gone, only the new key is left, and it opens every row.
    await rm(done.backup);
    expect(await readdir(join(projectDir, '.minke'))).toEqual(['secret.key']);
    expect(await store.reader().password('db-root')).toBe(password);
    // The old key alone opens nothing any more.
    const withOldKey = new CredentialStore(project.database, {
      inline: oldKey.trim(),
      file: join(projectDir, 'elsewhere', 'secret.key'),
    });
    await expect(withOldKey.reader().password('db-root')).rejects.toThrow(
      `credential db-root was encrypted with secret key ${done.newKeyId}, which is not loaded`,
    );
  });

  it('refuses a key file that others can read, and a malformed key', async () => {
    await store.create('db-root', { type: 'password', password }, null);
    const file = join(projectDir, '.minke', 'secret.key');
    await chmod(file, 0o644);
    await expect(store.reader().password('db-root')).rejects.toThrow(
      `the secret key ${file} can be read by other users: fix it with chmod 600 ${file}`,
    );
    await writeFile(file, 'not base64 of 32 bytes\n', { mode: 0o600 });
    await chmod(file, 0o600);
    await expect(store.reader().password('db-root')).rejects.toThrow(
      `the secret key in ${file} is unusable: expected base64 of 32 bytes`,
    );
  });
});
