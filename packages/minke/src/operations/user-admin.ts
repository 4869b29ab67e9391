import { auditedTransaction } from '../audit/audit-log.js';
import { recordChange } from '../audit/record-change.js';
import { hash } from '@node-rs/argon2';
import type { Updateable } from 'kysely';
import { LoginSessionStore } from '../auth/login-session-store.js';
import { ConflictError, InputError, NotFoundError } from '../errors.js';
import type { UsersTable } from '../store/minke-tables.js';
import type { DatabaseHandle } from '../store/transaction.js';
import { PermissionStore } from '../users/permission-store.js';
import { UserStore } from '../users/user-store.js';
import { MIN_PASSWORD_LENGTH, UserOperations, toRecord, type UserRecord } from './users.js';

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
  private readonly store: UserStore;
  private readonly permissions: PermissionStore;

  constructor(private readonly database: DatabaseHandle) {
    this.users = new UserOperations(database);
    this.store = new UserStore(database);
    this.permissions = new PermissionStore(database);
  }

  async list(): Promise<UserDetail[]> {
    const users = await this.users.list();
    return Promise.all(users.map((user) => detail(this.store, user)));
  }

  async get(id: number): Promise<UserDetail> {
    return userDetail(this.store, id);
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
    const user = await this.users.create(
      { username: input.username, password: input.password, superuser: input.isSuperuser ?? false },
      async (store, userId) => {
        if (groupIds) await store.setUserGroups(userId, groupIds);
        if (permissionIds) await store.setUserPermissions(userId, permissionIds);
      },
    );
    return this.get(user.id);
  }

  async update(id: number, changes: UserChanges): Promise<UserDetail> {
    const before = await this.get(id);
    const groupIds = changes.groups === undefined ? undefined : await this.groupIds(changes.groups);
    const permissionIds =
      changes.permissions === undefined ? undefined : await this.permissionIds(changes.permissions);
    const values: Updateable<UsersTable> = {};
    if (changes.password !== undefined)
      values.password_hash = await hash(checkPassword(changes.password));
    if (changes.isSuperuser !== undefined) values.is_superuser = changes.isSuperuser;
    if (changes.isActive !== undefined) values.is_active = changes.isActive;
    return auditedTransaction(this.database, async (trx, audit) => {
      const store = this.store.in(trx);
      await store.update(id, values);
      if (groupIds) await store.setUserGroups(id, groupIds);
      if (permissionIds) await store.setUserPermissions(id, permissionIds);
      if (changes.password !== undefined || changes.isActive === false) {
        await new LoginSessionStore(trx).deleteForUser(id);
      }
      const after = await userDetail(store, id);
      // The password's value never reaches the log: only that it was changed.
      const password = changes.password === undefined ? {} : { passwordChanged: true };
      await audit(userChange('user.update', before, { ...after, ...password }));
      return after;
    });
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
    if (user.isSuperuser && user.isActive && !(await this.store.hasOtherActiveSuperuser(id)))
      throw new ConflictError(
        `${user.username} is the last active superuser: make another user a superuser first`,
      );
    await auditedTransaction(this.database, async (trx, audit) => {
      await this.store.in(trx).delete(id);
      await audit(userChange('user.delete', user, undefined));
    });
  }

  async listGroups(): Promise<UserGroupRecord[]> {
    const rows = await this.store.groups();
    return Promise.all(rows.map((row) => groupRecord(this.store, row.id, row.name)));
  }

  async getGroup(id: number): Promise<UserGroupRecord> {
    return userGroup(this.store, id);
  }

  async createGroup(input: {
    name: string;
    permissions?: readonly string[] | undefined;
  }): Promise<UserGroupRecord> {
    const name = checkGroupName(input.name);
    const permissionIds = await this.permissionIds(input.permissions ?? []);
    if ((await this.store.groupIdByName(name)) !== undefined)
      throw new ConflictError(`user group ${name} already exists`, {
        fields: { name: 'already taken' },
      });
    return auditedTransaction(this.database, async (trx, audit) => {
      const store = this.store.in(trx);
      const id = await store.insertGroup(name);
      await store.setGroupPermissions(id, permissionIds);
      const group = await userGroup(store, id);
      await audit(userGroupChange('usergroup.create', undefined, group));
      return group;
    });
  }

  async updateGroup(
    id: number,
    changes: { name?: string | undefined; permissions?: readonly string[] | undefined },
  ): Promise<UserGroupRecord> {
    const before = await this.getGroup(id);
    const permissionIds =
      changes.permissions === undefined ? undefined : await this.permissionIds(changes.permissions);
    const name = changes.name === undefined ? undefined : checkGroupName(changes.name);
    if (name !== undefined) {
      const other = await this.store.groupIdByName(name);
      if (other !== undefined && other !== id) {
        throw new ConflictError(`user group ${name} already exists`, {
          fields: { name: 'already taken' },
        });
      }
    }
    return auditedTransaction(this.database, async (trx, audit) => {
      const store = this.store.in(trx);
      if (name !== undefined) await store.renameGroup(id, name);
      if (permissionIds) await store.setGroupPermissions(id, permissionIds);
      const after = await userGroup(store, id);
      await audit(userGroupChange('usergroup.update', before, after));
      return after;
    });
  }

  private async groupIds(names: readonly string[]): Promise<number[]> {
    return idsOf(names, await this.store.groupIdsByName(names), 'groups', 'unknown group(s)');
  }

  private async permissionIds(codenames: readonly string[]): Promise<number[]> {
    const ids = await this.permissions.idsByCodename(codenames);
    return idsOf(codenames, ids, 'permissions', 'unknown permission(s)');
  }
}

async function userDetail(store: UserStore, id: number): Promise<UserDetail> {
  const row = await store.byId(id);
  if (!row) throw new NotFoundError(`user ${id} does not exist`);
  return detail(store, toRecord(row));
}

async function detail(store: UserStore, user: UserRecord): Promise<UserDetail> {
  const [groups, permissions] = await Promise.all([
    store.groupNamesOf(user.id),
    store.directPermissionsOf(user.id),
  ]);
  return { ...user, groups, permissions };
}

async function userGroup(store: UserStore, id: number): Promise<UserGroupRecord> {
  const row = await store.groupById(id);
  if (!row) throw new NotFoundError(`user group ${id} does not exist`);
  return groupRecord(store, id, row.name);
}

async function groupRecord(store: UserStore, id: number, name: string): Promise<UserGroupRecord> {
  const [permissions, members] = await Promise.all([
    store.groupPermissions(id),
    store.groupMemberCount(id),
  ]);
  return { id, name, permissions, members };
}

/** Ids for names, in the order given; unknown names are one input error naming them. */
function idsOf(
  names: readonly string[],
  idOf: ReadonlyMap<string, number>,
  field: string,
  what: string,
): number[] {
  const missing = names.filter((name) => !idOf.has(name));
  if (missing.length > 0) {
    throw new InputError(`${what}: ${missing.join(', ')}`, {
      fields: { [field]: `unknown: ${missing.join(', ')}` },
    });
  }
  return names.map((name) => idOf.get(name) as number);
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

const userChange = recordChange<UserDetail>('user', (user) => user.username);

const userGroupChange = recordChange<UserGroupRecord>('usergroup', (group) => group.name);
