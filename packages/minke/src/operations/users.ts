import { auditedTransaction } from '../audit/audit-log.js';
import type * as Argon2 from '@node-rs/argon2';
import { ConflictError, InputError, NotFoundError } from '../errors.js';
import type { DatabaseHandle } from '../store/transaction.js';
import { UserStore, type UserRow } from '../users/user-store.js';

export interface UserRecord {
  id: number;
  username: string;
  isSuperuser: boolean;
  isActive: boolean;
  createdAt: string;
  lastLogin: string | null;
}

const usernamePattern = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,149}$/;
export const MIN_PASSWORD_LENGTH = 8;

/** Accounts; passwords are kept only as argon2id hashes. */
export class UserOperations {
  private readonly store: UserStore;

  constructor(private readonly database: DatabaseHandle) {
    this.store = new UserStore(database);
  }

  /**
   * Creates an account. `links` writes what else belongs to it (groups, permissions) in the same
   * transaction as the account and its audit row.
   */
  async create(
    input: {
      username: string;
      password: string;
      superuser?: boolean;
    },
    links?: (store: UserStore, userId: number) => Promise<void>,
  ): Promise<UserRecord> {
    const username = input.username.trim();
    if (!usernamePattern.test(username)) {
      throw new InputError(
        `invalid user name "${input.username}": use letters, digits and . _ @ -`,
        { fields: { username: 'invalid' } },
      );
    }
    if (input.password.length < MIN_PASSWORD_LENGTH) {
      throw new InputError(
        `the password is too short: use at least ${MIN_PASSWORD_LENGTH} characters`,
        { fields: { password: 'too short' } },
      );
    }
    if (await this.store.byUsername(username))
      throw new ConflictError(`user ${username} already exists`, {
        fields: { username: 'already taken' },
      });
    const passwordHash = await (await argon2()).hash(input.password);
    return auditedTransaction(this.database, async (trx, audit) => {
      const store = this.store.in(trx);
      const id = await store.insert({
        username,
        password_hash: passwordHash,
        is_superuser: input.superuser ?? false,
      });
      await links?.(store, id);
      const user = toRecord((await store.byId(id)) as UserRow);
      await audit({
        action: 'user.create',
        targetType: 'user',
        targetId: user.id,
        targetName: user.username,
        after: { ...user, password: '[secret]' },
      });
      return user;
    });
  }

  async get(username: string): Promise<UserRecord> {
    const row = await this.store.byUsername(username);
    if (!row) throw new NotFoundError(`user ${username} does not exist`);
    return toRecord(row);
  }

  async list(): Promise<UserRecord[]> {
    return (await this.store.list()).map(toRecord);
  }

  /** Notes a successful login's time. */
  async recordLogin(userId: number): Promise<void> {
    await this.store.recordLogin(userId);
  }

  /** The user when the password is right and the account active; undefined otherwise. */
  async authenticate(username: string, password: string): Promise<UserRecord | undefined> {
    const row = await this.store.byUsername(username);
    if (!row?.is_active) return undefined;
    const { verify } = await argon2();
    return (await verify(row.password_hash, password)) ? toRecord(row) : undefined;
  }
}

export function toRecord(row: UserRow): UserRecord {
  return {
    id: row.id,
    username: row.username,
    isSuperuser: row.is_superuser,
    isActive: row.is_active,
    createdAt: row.created_at,
    lastLogin: row.last_login,
  };
}

/** argon2 is a native module: loaded by the commands that hash or check a password, not by all. */
function argon2(): Promise<typeof Argon2> {
  return import('@node-rs/argon2');
}
