import { recordAudit, type AuditChange } from '../audit/audit-log.js';
import { hash } from '@node-rs/argon2';
import { LoginSessions } from '../auth/login-sessions.js';
import { ConflictError, InputError, NotFoundError } from '../errors.js';
import type { Database, DynamicKysely } from '../store/database.js';
import { MIN_PASSWORD_LENGTH, UserOperations, type UserRecord } from './users.js';

/** A user with their groups and the permissions granted to them directly. */
export interface UserDetail extends UserRecord {
  groups: string[];
  permissions: string[];
}

export interface UserGroupRecord {
  id: number;
  name: string;
  permissions: string[];
  members: number;
}

export interface UserChanges {
  password?: string | undefined;
  isSuperuser?: boolean | undefined;
  isActive?: boolean | undefined;
  /** Replaces the user's groups (by name). */
  groups?: readonly string[] | undefined;
  /** Replaces the permissions granted to the user directly (codenames). */
  permissions?: readonly string[] | undefined;
}

const groupNamePattern = /^[A-Za-z0-9][A-Za-z0-9 ._@-]{0,149}$/;

/**
 * Managing accounts beyond `UserOperations`: superuser and active flags, passwords, user groups
 * and the permissions held directly or through a group. A new password or a disabled account
 * ends the user's login sessions.
 */
export class UserAdmin {
  private readonly users: UserOperations;

  constructor(private readonly database: Database) {
    this.users = new UserOperations(database);
  }

  private get db(): DynamicKysely {
    return this.database.db;
  }

  async list(): Promise<UserDetail[]> {
    const users = await this.users.list();
    return Promise.all(users.map((user) => this.detail(user)));
  }

  async get(id: number): Promise<UserDetail> {
    const row: { username: string } | undefined = await this.db
      .selectFrom('minke_users')
      .select('username')
      .where('id', '=', id)
      .executeTakeFirst();
    if (!row) throw new NotFoundError(`user ${id} does not exist`);
    return this.detail(await this.users.get(row.username));
  }

  async create(input: {
    username: string;
    password: string;
    isSuperuser?: boolean | undefined;
    groups?: readonly string[] | undefined;
    permissions?: readonly string[] | undefined;
  }): Promise<UserDetail> {
    // Checked before the account exists, so that a typo leaves nothing half made.
    const groupIds = input.groups === undefined ? undefined : await this.groupIds(input.groups);
    const permissionIds =
      input.permissions === undefined ? undefined : await this.permissionIds(input.permissions);
    const user = await this.users.create({
      username: input.username,
      password: input.password,
      superuser: input.isSuperuser ?? false,
    });
    if (groupIds)
      await this.link('minke_user_group_members', 'user_id', user.id, 'group_id', groupIds);
    if (permissionIds) {
      await this.link('minke_user_permissions', 'user_id', user.id, 'permission_id', permissionIds);
    }
    return this.get(user.id);
  }

  async update(id: number, changes: UserChanges): Promise<UserDetail> {
    const before = await this.get(id);
    const { adapter } = this.database;
    const groupIds = changes.groups === undefined ? undefined : await this.groupIds(changes.groups);
    const permissionIds =
      changes.permissions === undefined ? undefined : await this.permissionIds(changes.permissions);
    const values: Record<string, unknown> = {};
    if (changes.password !== undefined)
      values['password_hash'] = await hash(checkPassword(changes.password));
    if (changes.isSuperuser !== undefined)
      values['is_superuser'] = adapter.encodeBool(changes.isSuperuser);
    if (changes.isActive !== undefined) values['is_active'] = adapter.encodeBool(changes.isActive);
    if (Object.keys(values).length > 0) {
      await this.db.updateTable('minke_users').set(values).where('id', '=', id).execute();
    }
    if (groupIds) await this.link('minke_user_group_members', 'user_id', id, 'group_id', groupIds);
    if (permissionIds)
      await this.link('minke_user_permissions', 'user_id', id, 'permission_id', permissionIds);
    if (changes.password !== undefined || changes.isActive === false) {
      await new LoginSessions(this.database).deleteForUser(id);
    }
    const after = await this.get(id);
    // The password's value never reaches the log: only that it was changed.
    const password = changes.password === undefined ? {} : { passwordChanged: true };
    await recordAudit(this.database, userChange('user.update', before, { ...after, ...password }));
    return after;
  }

  /**
   * A user changes their own password: the current one must be right, the new one long enough and
   * different. All their login sessions end (the caller makes a new one for the browser in use).
   */
  async changeOwnPassword(
    userId: number,
    currentPassword: string,
    newPassword: string,
  ): Promise<void> {
    const user = await this.get(userId);
    if (!(await this.users.authenticate(user.username, currentPassword))) {
      throw new InputError('the current password is wrong', {
        fields: { currentPassword: 'wrong password' },
      });
    }
    if (newPassword === currentPassword) {
      throw new InputError('the new password is the same as the current one', {
        fields: { newPassword: 'same as the current one' },
      });
    }
    if (newPassword.length < MIN_PASSWORD_LENGTH) {
      throw new InputError(
        `the new password is too short: use at least ${MIN_PASSWORD_LENGTH} characters`,
        { fields: { newPassword: 'too short' } },
      );
    }
    await this.update(userId, { password: newPassword });
  }

  /**
   * Deletes an account with its tokens, login sessions and grants; its runs and session records
   * stay (without a user: superusers see them). Refused for the caller's own account (`actorId`)
   * and for the last active superuser, so that nobody locks everyone out by mistake.
   */
  async remove(id: number, actorId?: number): Promise<void> {
    const user = await this.get(id);
    if (actorId === id)
      throw new ConflictError(
        `you cannot delete your own account (${user.username}): ask another superuser`,
      );
    if (user.isSuperuser && user.isActive) {
      const { adapter } = this.database;
      const others = await this.db
        .selectFrom('minke_users')
        .select('id')
        .where('is_superuser', '=', adapter.encodeBool(true))
        .where('is_active', '=', adapter.encodeBool(true))
        .where('id', '!=', id)
        .executeTakeFirst();
      if (!others)
        throw new ConflictError(
          `${user.username} is the last active superuser: make another user a superuser first`,
        );
    }
    await this.db.transaction().execute(async (trx) => {
      // Dependents first: correct whether or not the backend enforces ON DELETE rules.
      for (const table of [
        'minke_api_tokens',
        'minke_login_sessions',
        'minke_user_group_members',
        'minke_user_permissions',
      ]) {
        await trx.deleteFrom(table).where('user_id', '=', id).execute();
      }
      for (const table of ['minke_runs', 'minke_session_records']) {
        await trx.updateTable(table).set({ user_id: null }).where('user_id', '=', id).execute();
      }
      await trx.deleteFrom('minke_users').where('id', '=', id).execute();
    });
    await recordAudit(this.database, userChange('user.delete', user, undefined));
  }

  async listGroups(): Promise<UserGroupRecord[]> {
    const rows = (await this.db
      .selectFrom('minke_user_groups')
      .select(['id', 'name'])
      .orderBy('name')
      .execute()) as { id: unknown; name: string }[];
    return Promise.all(rows.map((row) => this.groupRecord(Number(row.id), row.name)));
  }

  async getGroup(id: number): Promise<UserGroupRecord> {
    const row: { id: unknown; name: string } | undefined = await this.db
      .selectFrom('minke_user_groups')
      .select(['id', 'name'])
      .where('id', '=', id)
      .executeTakeFirst();
    if (!row) throw new NotFoundError(`user group ${id} does not exist`);
    return this.groupRecord(id, row.name);
  }

  async createGroup(input: {
    name: string;
    permissions?: readonly string[] | undefined;
  }): Promise<UserGroupRecord> {
    const name = checkGroupName(input.name);
    const permissionIds = await this.permissionIds(input.permissions ?? []);
    const exists = await this.db
      .selectFrom('minke_user_groups')
      .select('id')
      .where('name', '=', name)
      .executeTakeFirst();
    if (exists)
      throw new ConflictError(`user group ${name} already exists`, {
        fields: { name: 'already taken' },
      });
    const row = await this.db
      .insertInto('minke_user_groups')
      .values({ name })
      .returning('id')
      .executeTakeFirstOrThrow();
    const id = Number(row.id);
    await this.link('minke_user_group_permissions', 'group_id', id, 'permission_id', permissionIds);
    const group = await this.getGroup(id);
    await recordAudit(this.database, userGroupChange('usergroup.create', undefined, group));
    return group;
  }

  async updateGroup(
    id: number,
    changes: { name?: string | undefined; permissions?: readonly string[] | undefined },
  ): Promise<UserGroupRecord> {
    const before = await this.getGroup(id);
    const permissionIds =
      changes.permissions === undefined ? undefined : await this.permissionIds(changes.permissions);
    if (changes.name !== undefined) {
      const name = checkGroupName(changes.name);
      const other: { id: unknown } | undefined = await this.db
        .selectFrom('minke_user_groups')
        .select('id')
        .where('name', '=', name)
        .executeTakeFirst();
      if (other && Number(other.id) !== id) {
        throw new ConflictError(`user group ${name} already exists`, {
          fields: { name: 'already taken' },
        });
      }
      await this.db.updateTable('minke_user_groups').set({ name }).where('id', '=', id).execute();
    }
    if (permissionIds) {
      await this.link(
        'minke_user_group_permissions',
        'group_id',
        id,
        'permission_id',
        permissionIds,
      );
    }
    const after = await this.getGroup(id);
    await recordAudit(this.database, userGroupChange('usergroup.update', before, after));
    return after;
  }

  private async detail(user: UserRecord): Promise<UserDetail> {
    const [groups, permissions] = await Promise.all([
      this.db
        .selectFrom('minke_user_group_members as m')
        .innerJoin('minke_user_groups as g', 'g.id', 'm.group_id')
        .select('g.name')
        .where('m.user_id', '=', user.id)
        .orderBy('g.name')
        .execute() as Promise<{ name: string }[]>,
      this.db
        .selectFrom('minke_user_permissions as up')
        .innerJoin('minke_permissions as p', 'p.id', 'up.permission_id')
        .select('p.codename')
        .where('up.user_id', '=', user.id)
        .orderBy('p.codename')
        .execute() as Promise<{ codename: string }[]>,
    ]);
    return {
      ...user,
      groups: groups.map((g) => g.name),
      permissions: permissions.map((p) => p.codename),
    };
  }

  private async groupRecord(id: number, name: string): Promise<UserGroupRecord> {
    const [permissions, members] = await Promise.all([
      this.db
        .selectFrom('minke_user_group_permissions as gp')
        .innerJoin('minke_permissions as p', 'p.id', 'gp.permission_id')
        .select('p.codename')
        .where('gp.group_id', '=', id)
        .orderBy('p.codename')
        .execute() as Promise<{ codename: string }[]>,
      this.db
        .selectFrom('minke_user_group_members')
        .select((eb) => eb.fn.countAll<number | string>().as('n'))
        .where('group_id', '=', id)
        .executeTakeFirst() as Promise<{ n: number | string } | undefined>,
    ]);
    return {
      id,
      name,
      permissions: permissions.map((p) => p.codename),
      members: Number(members?.n ?? 0),
    };
  }

  /** Replaces the rows of a link table that belong to `ownerId`. */
  private async link(
    table: string,
    ownerColumn: string,
    ownerId: number,
    otherColumn: string,
    otherIds: readonly number[],
  ): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom(table).where(ownerColumn, '=', ownerId).execute();
      if (otherIds.length > 0) {
        await trx
          .insertInto(table)
          .values(
            [...new Set(otherIds)].map((other) => ({
              [ownerColumn]: ownerId,
              [otherColumn]: other,
            })),
          )
          .execute();
      }
    });
  }

  private async groupIds(names: readonly string[]): Promise<number[]> {
    return this.idsByName('minke_user_groups', 'name', names, 'groups', 'unknown group(s)');
  }

  private async permissionIds(codenames: readonly string[]): Promise<number[]> {
    return this.idsByName(
      'minke_permissions',
      'codename',
      codenames,
      'permissions',
      'unknown permission(s)',
    );
  }

  private async idsByName(
    table: string,
    column: string,
    names: readonly string[],
    field: string,
    what: string,
  ): Promise<number[]> {
    if (names.length === 0) return [];
    const rows = (await this.db
      .selectFrom(table)
      .select(['id', column])
      .where(column, 'in', [...names])
      .execute()) as Record<string, unknown>[];
    const idOf = new Map(rows.map((row) => [String(row[column]), Number(row['id'])]));
    const missing = names.filter((name) => !idOf.has(name));
    if (missing.length > 0) {
      throw new InputError(`${what}: ${missing.join(', ')}`, {
        fields: { [field]: `unknown: ${missing.join(', ')}` },
      });
    }
    return names.map((name) => idOf.get(name) as number);
  }
}

function checkPassword(password: string): string {
  if (password.length < MIN_PASSWORD_LENGTH) {
    throw new InputError(
      `the password is too short: use at least ${MIN_PASSWORD_LENGTH} characters`,
      {
        fields: { password: 'too short' },
      },
    );
  }
  return password;
}

function checkGroupName(name: string): string {
  const trimmed = name.trim();
  if (!groupNamePattern.test(trimmed)) {
    throw new InputError(`invalid group name "${name}": use letters, digits, spaces and . _ @ -`, {
      fields: { name: 'invalid' },
    });
  }
  return trimmed;
}

function userChange(action: string, before?: UserDetail, after?: UserDetail): AuditChange {
  const user = after ?? before;
  return {
    action,
    targetType: 'user',
    targetId: user?.id,
    targetName: user?.username,
    before,
    after,
  };
}

function userGroupChange(
  action: string,
  before?: UserGroupRecord,
  after?: UserGroupRecord,
): AuditChange {
  const group = after ?? before;
  return {
    action,
    targetType: 'usergroup',
    targetId: group?.id,
    targetName: group?.name,
    before,
    after,
  };
}
