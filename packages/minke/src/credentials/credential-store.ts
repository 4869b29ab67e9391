import type { Selectable } from 'kysely';
import { auditedTransaction, type Audit } from '../audit/audit-log.js';
import { ConflictError, InputError, NotFoundError } from '../errors.js';
import type { MinkeKysely } from '../store/minke-kysely.js';
import type { CredentialsTable } from '../store/minke-tables.js';
import type { DatabaseHandle } from '../store/transaction.js';
import { PermissionStore } from '../users/permission-store.js';
import {
  credentialNameSchema,
  type CredentialReader,
  SecretUnavailable,
} from '../transport/config/secret.js';
import { associatedData, open, seal } from './credential-cipher.js';
import { useCredentialPermission } from './credential-permissions.js';
import {
  checkSecret,
  type CredentialSecret,
  type CredentialType,
  parseStoredSecret,
} from './credential-secret.js';
import {
  ensureSecretKey,
  loadSecretKeyring,
  replaceKeyFile,
  type SecretKey,
  type SecretKeyring,
  type SecretKeySource,
} from './secret-key.js';

/** What anyone may see of a credential: never the secret, nor anything derived from a password. */
export interface CredentialInfo {
  id: number;
  name: string;
  type: CredentialType;
  /** An SSH key's public-key fingerprint (SHA256:…); null for a password. */
  fingerprint: string | null;
  keyId: string;
  createdAt: string;
  createdBy: string | null;
  updatedAt: string;
  updatedBy: string | null;
}

type CredentialRow = Selectable<CredentialsTable>;

const shownColumns = [
  'id',
  'name',
  'type',
  'fingerprint',
  'key_id',
  'created_at',
  'created_by',
  'updated_at',
  'updated_by',
] as const;

/**
 * Named credentials, encrypted at rest (AES-256-GCM, see `credential-cipher.ts`). Write-only to
 * people: create, replace, delete, list. Only `reader()` decrypts, for the transport at connect
 * or sudo time. Errors name the credential, never a secret.
 *
 * @example
 *   const store = new CredentialStore(project.database, secretKeySource(project.config.projectDir));
 *   await store.create('db-root', { type: 'password', password }, 'alice');
 */
export class CredentialStore {
  constructor(
    private readonly database: DatabaseHandle,
    private readonly keys: SecretKeySource,
  ) {}

  private get db(): MinkeKysely {
    return this.database.tables;
  }

  async list(): Promise<CredentialInfo[]> {
    const rows = await this.db
      .selectFrom('minke_credentials')
      .select([...shownColumns])
      .orderBy('name')
      .execute();
    return rows.map((row) => this.info(row));
  }

  async get(name: string): Promise<CredentialInfo> {
    return this.info(await this.row(name));
  }

  async exists(name: string): Promise<boolean> {
    const row = await this.db
      .selectFrom('minke_credentials')
      .select('id')
      .where('name', '=', name)
      .executeTakeFirst();
    return row !== undefined;
  }

  async create(name: string, secret: CredentialSecret, by: string | null): Promise<CredentialInfo> {
    checkName(name);
    const { fingerprint } = checkSecret(name, secret);
    if (await this.exists(name)) {
      throw new ConflictError(`credential ${name} already exists: replace it instead`, {
        fields: { name: 'already taken' },
      });
    }
    const key = await ensureSecretKey(this.keys);
    return auditedTransaction(this.database, async (trx, audit) => {
      await trx.tables
        .insertInto('minke_credentials')
        .values({
          name,
          type: secret.type,
          fingerprint,
          key_id: key.id,
          ciphertext: sealSecret(key, name, secret),
          created_by: by,
          updated_by: by,
        })
        .execute();
      // Per-credential use permission, so an admin can grant `use_credential:NAME` alone.
      await new PermissionStore(trx).ensure({
        codename: useCredentialPermission(name),
        name: `Can point hosts and groups at credential ${name}`,
      });
      const created = await this.in(trx).get(name);
      await auditCredential(audit, 'credential.create', undefined, created);
      return created;
    });
  }

  /** The same store inside a transaction (`inTransaction`'s handle). */
  in(trx: DatabaseHandle): CredentialStore {
    return new CredentialStore(trx, this.keys);
  }

  /** A new secret (of either type) under the same name; hosts using it pick it up at next use. */
  async replace(
    name: string,
    secret: CredentialSecret,
    by: string | null,
  ): Promise<CredentialInfo> {
    const before = this.info(await this.row(name));
    const { fingerprint } = checkSecret(name, secret);
    const key = await ensureSecretKey(this.keys);
    return auditedTransaction(this.database, async (trx, audit) => {
      await trx.tables
        .updateTable('minke_credentials')
        .set({
          type: secret.type,
          fingerprint,
          key_id: key.id,
          ciphertext: sealSecret(key, name, secret),
          updated_by: by,
          updated_at: new Date(),
        })
        .where('name', '=', name)
        .execute();
      const after = await this.in(trx).get(name);
      await auditCredential(audit, 'credential.replace', before, after);
      return after;
    });
  }

  async delete(name: string): Promise<CredentialInfo> {
    const info = this.info(await this.row(name));
    await auditedTransaction(this.database, async (trx, audit) => {
      await trx.tables.deleteFrom('minke_credentials').where('name', '=', name).execute();
      await new PermissionStore(trx).delete([useCredentialPermission(name)]);
      await auditCredential(audit, 'credential.delete', info, undefined);
    });
    return info;
  }

  /** Decrypts a credential: for the transport only (through `reader()`), at the moment of use. */
  async reveal(name: string): Promise<CredentialSecret> {
    let row: CredentialRow;
    try {
      row = await this.row(name);
    } catch (error) {
      if (error instanceof NotFoundError) throw new SecretUnavailable(error.message);
      throw error;
    }
    return openRow(await loadSecretKeyring(this.keys), row);
  }

  /** What the transport reads `{ credential }` references with. */
  reader(): CredentialReader {
    return {
      password: async (name) => {
        const secret = await this.reveal(name);
        if (secret.type !== 'password') {
          throw new SecretUnavailable(`credential ${name} is an SSH key, not a password`);
        }
        return secret.password;
      },
      sshKey: async (name) => {
        const secret = await this.reveal(name);
        if (secret.type !== 'ssh-key') {
          throw new SecretUnavailable(`credential ${name} is a password, not an SSH key`);
        }
        return { privateKey: secret.privateKey, passphrase: secret.passphrase };
      },
    };
  }

  /**
   * Puts a new key in the key file (the old one kept as `<file>.<id>.old`) and re-encrypts every
   * credential under it, in one transaction. Safe to run again after a crash: rows still under
   * the old key open with the backup.
   */
  async rotateKey(): Promise<{
    oldKeyId: string;
    newKeyId: string;
    backup: string;
    count: number;
  }> {
    const before = await loadSecretKeyring(this.keys);
    const old = before.current ?? (await ensureSecretKey(this.keys));
    const rows = await this.db.selectFrom('minke_credentials').selectAll().execute();
    // Every row must open before anything changes: a row no key opens stops the rotation.
    const secrets = rows.map((row) => ({ row, secret: openRow(before, row) }));
    const { key, backup } = await replaceKeyFile(this.keys, old);
    await this.db.transaction().execute(async (trx) => {
      for (const { row, secret } of secrets) {
        await trx
          .updateTable('minke_credentials')
          .set({ key_id: key.id, ciphertext: sealSecret(key, row.name, secret) })
          .where('id', '=', row.id)
          .execute();
      }
    });
    return { oldKeyId: old.id, newKeyId: key.id, backup, count: rows.length };
  }

  private async row(name: string): Promise<CredentialRow> {
    const row = await this.db
      .selectFrom('minke_credentials')
      .selectAll()
      .where('name', '=', name)
      .executeTakeFirst();
    if (!row) throw new NotFoundError(`credential ${name} does not exist`);
    return row;
  }

  private info(row: Omit<CredentialRow, 'ciphertext'>): CredentialInfo {
    return {
      id: row.id,
      name: row.name,
      type: row.type as CredentialType,
      fingerprint: row.fingerprint,
      keyId: row.key_id,
      createdAt: row.created_at,
      createdBy: row.created_by,
      updatedAt: row.updated_at,
      updatedBy: row.updated_by,
    };
  }
}

function checkName(name: string): void {
  const parsed = credentialNameSchema.safeParse(name);
  if (!parsed.success) {
    const reason = parsed.error.issues[0]?.message ?? 'invalid';
    throw new InputError(`credential name "${name}": ${reason}`, { fields: { name: reason } });
  }
}

function sealSecret(key: SecretKey, name: string, secret: CredentialSecret): string {
  return seal(key, Buffer.from(JSON.stringify(secret)), associatedData(name, secret.type));
}

function openRow(keyring: SecretKeyring, row: CredentialRow): CredentialSecret {
  const key = keyring.get(row.key_id);
  if (!key) {
    throw new SecretUnavailable(
      `credential ${row.name} was encrypted with secret key ${row.key_id}, which is not loaded ` +
        `(looked in ${keyring.describe()}${keyring.current ? `, whose key is ${keyring.current.id}` : ''}): ` +
        'set MINKE_SECRET_KEY or MINKE_SECRET_KEY_FILE to that key, or restore its backup file',
    );
  }
  const plain = open(key, row.ciphertext, associatedData(row.name, row.type));
  const secret = plain && parseStoredSecret(plain.toString('utf8'));
  if (!secret || secret.type !== row.type) {
    throw new SecretUnavailable(
      `credential ${row.name} cannot be decrypted with secret key ${key.id}: ` +
        'its stored row was changed or damaged; replace the credential',
    );
  }
  return secret;
}

function auditedInfo(info: CredentialInfo): Record<string, unknown> {
  return { name: info.name, type: info.type, fingerprint: info.fingerprint };
}

/** Records a change in the audit log: the credential's name, type and fingerprint only. */
async function auditCredential(
  audit: Audit,
  action: string,
  before: CredentialInfo | undefined,
  after: CredentialInfo | undefined,
): Promise<void> {
  await audit({
    action,
    targetType: 'credential',
    targetName: (after ?? before)?.name,
    before: before && auditedInfo(before),
    after: after && auditedInfo(after),
  });
}
