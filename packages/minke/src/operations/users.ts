import { recordAudit } from '../audit/audit-log.js';
import type * as Argon2 from '@node-rs/argon2';
import { ConflictError, InputError, NotFoundError } from '../errors.js';
import type { Database, DynamicKysely } from '../store/database.js';

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
  constructor(private readonly database: Database) {}

  private get db(): DynamicKysely {
    return this.database.db;
  }

  async create(input: {
    username: string;
    password: string;
    superuser?: boolean;
  }): Promise<UserRecord> {
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
    const exists = await this.db
      .selectFrom('minke_users')
      .select('id')
      .where('username', '=', username)
      .executeTakeFirst();
    if (exists)
      throw new ConflictError(`user ${username} already exists`, {
        fields: { username: 'already taken' },
      });
    await this.db
      .insertInto('minke_users')
      .values({
        username,
        password_hash: await (await argon2()).hash(input.password),
        is_superuser: this.database.adapter.encodeBool(input.superuser ?? false),
      })
      .execute();
    const user = await this.get(username);
    await recordAudit(this.database, {
      action: 'user.create',
      targetType: 'user',
      targetId: user.id,
      targetName: user.username,
      after: { ...user, password: '[secret]' },
    });
    return user;
  }

  async get(username: string): Promise<UserRecord> {
    const row = await this.db
      .selectFrom('minke_users')
      .selectAll()
      .where('username', '=', username)
      .executeTakeFirst();
    if (!row) throw new NotFoundError(`user ${username} does not exist`);
    return this.toRecord(row as UserRow);
  }

  async list(): Promise<UserRecord[]> {
    const rows = (await this.db
      .selectFrom('minke_users')
      .selectAll()
      .orderBy('username')
      .execute()) as UserRow[];
    return rows.map((row) => this.toRecord(row));
  }

  /** The user when the password is right and the account active; undefined otherwise. */
  async authenticate(username: string, password: string): Promise<UserRecord | undefined> {
    const row = (await this.db
      .selectFrom('minke_users')
      .selectAll()
      .where('username', '=', username)
      .executeTakeFirst()) as UserRow | undefined;
    if (!row || !this.database.adapter.decodeBool(row.is_active)) return undefined;
    const { verify } = await argon2();
    return (await verify(row.password_hash, password)) ? this.toRecord(row) : undefined;
  }

  private toRecord(row: UserRow): UserRecord {
    const { adapter } = this.database;
    return {
      id: Number(row.id),
      username: row.username,
      isSuperuser: adapter.decodeBool(row.is_superuser),
      isActive: adapter.decodeBool(row.is_active),
      createdAt: adapter.decodeDate(row.created_at),
      lastLogin: row.last_login === null ? null : adapter.decodeDate(row.last_login),
    };
  }
}

interface UserRow {
  id: unknown;
  username: string;
  password_hash: string;
  is_superuser: unknown;
  is_active: unknown;
  created_at: unknown;
  last_login: unknown;
}

/** argon2 is a native module: loaded by the commands that hash or check a password, not by all. */
function argon2(): Promise<typeof Argon2> {
  return import('@node-rs/argon2');
}
