import type { Selectable, Updateable } from 'kysely';
import type { MinkeKysely } from '../store/minke-kysely.js';
import type { UsersTable } from '../store/minke-tables.js';
import type { DatabaseHandle } from '../store/transaction.js';

export type UserRow = Selectable<UsersTable>;

/**
 * The one writer of accounts, user groups, group membership and the permissions granted to users
 * and groups. The rules (names, passwords, the last superuser) live in the user operations.
 */
export class UserStore {
  constructor(private readonly database: DatabaseHandle) {}

  /** The same store inside a transaction (`inTransaction`'s handle). */
  in(trx: DatabaseHandle): UserStore {
    return new UserStore(trx);
  }

  private get db(): MinkeKysely {
    return this.database.tables;
  }

  // Accounts

  async byUsername(username: string): Promise<UserRow | undefined> {
    return this.db
      .selectFrom('minke_users')
      .selectAll()
      .where('username', '=', username)
      .executeTakeFirst();
  }

  async byId(id: number): Promise<UserRow | undefined> {
    return this.db.selectFrom('minke_users').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async list(): Promise<UserRow[]> {
    return this.db.selectFrom('minke_users').selectAll().orderBy('username').execute();
  }

  async insert(values: {
    username: string;
    password_hash: string;
    is_superuser: boolean;
  }): Promise<number> {
    const row = await this.db
      .insertInto('minke_users')
      .values(values)
      .returning('id')
      .executeTakeFirstOrThrow();
    return row.id;
  }

  async update(id: number, values: Updateable<UsersTable>): Promise<void> {
    if (Object.keys(values).length === 0) return;
    await this.db.updateTable('minke_users').set(values).where('id', '=', id).execute();
  }

  async recordLogin(id: number, at = new Date()): Promise<void> {
    await this.db.updateTable('minke_users').set({ last_login: at }).where('id', '=', id).execute();
  }

  /**
   * Deletes an account. Its tokens, login sessions and grants go with it, and its runs and
   * session records lose their user, by the foreign keys' ON DELETE rules (enforced on both
   * backends: SQLite is opened with foreign_keys on).
   */
  async delete(id: number): Promise<void> {
    await this.db.deleteFrom('minke_users').where('id', '=', id).execute();
  }

  async hasOtherActiveSuperuser(exceptId: number): Promise<boolean> {
    const other = await this.db
      .selectFrom('minke_users')
      .select('id')
      .where('is_superuser', '=', true)
      .where('is_active', '=', true)
      .where('id', '!=', exceptId)
      .executeTakeFirst();
    return other !== undefined;
  }

  // Groups

  async groups(): Promise<{ id: number; name: string }[]> {
    return this.db.selectFrom('minke_user_groups').select(['id', 'name']).orderBy('name').execute();
  }

  async groupById(id: number): Promise<{ id: number; name: string } | undefined> {
    return this.db
      .selectFrom('minke_user_groups')
      .select(['id', 'name'])
      .where('id', '=', id)
      .executeTakeFirst();
  }

  async groupIdByName(name: string): Promise<number | undefined> {
    const row = await this.db
      .selectFrom('minke_user_groups')
      .select('id')
      .where('name', '=', name)
      .executeTakeFirst();
    return row?.id;
  }

  /** Group ids by name; names not found are left out. */
  async groupIdsByName(names: readonly string[]): Promise<Map<string, number>> {
    if (names.length === 0) return new Map();
    const rows = await this.db
      .selectFrom('minke_user_groups')
      .select(['id', 'name'])
      .where('name', 'in', [...names])
      .execute();
    return new Map(rows.map((row) => [row.name, row.id]));
  }

  async insertGroup(name: string): Promise<number> {
    const row = await this.db
      .insertInto('minke_user_groups')
      .values({ name })
      .returning('id')
      .executeTakeFirstOrThrow();
    return row.id;
  }

  async renameGroup(id: number, name: string): Promise<void> {
    await this.db.updateTable('minke_user_groups').set({ name }).where('id', '=', id).execute();
  }

  async groupMemberCount(groupId: number): Promise<number> {
    const row = await this.db
      .selectFrom('minke_user_group_members')
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .where('group_id', '=', groupId)
      .executeTakeFirst();
    return Number(row?.n ?? 0);
  }

  // What a user or group holds

  async groupNamesOf(userId: number): Promise<string[]> {
    const rows = await this.db
      .selectFrom('minke_user_group_members as m')
      .innerJoin('minke_user_groups as g', 'g.id', 'm.group_id')
      .select('g.name')
      .where('m.user_id', '=', userId)
      .orderBy('g.name')
      .execute();
    return rows.map((row) => row.name);
  }

  async directPermissionsOf(userId: number): Promise<string[]> {
    const rows = await this.db
      .selectFrom('minke_user_permissions as up')
      .innerJoin('minke_permissions as p', 'p.id', 'up.permission_id')
      .select('p.codename')
      .where('up.user_id', '=', userId)
      .orderBy('p.codename')
      .execute();
    return rows.map((row) => row.codename);
  }

  async groupPermissions(groupId: number): Promise<string[]> {
    const rows = await this.db
      .selectFrom('minke_user_group_permissions as gp')
      .innerJoin('minke_permissions as p', 'p.id', 'gp.permission_id')
      .select('p.codename')
      .where('gp.group_id', '=', groupId)
      .orderBy('p.codename')
      .execute();
    return rows.map((row) => row.codename);
  }

  /**
   * Every permission the user holds, their own and through their groups, in one statement: each
   * API request reads it to build its caller.
   */
  async allPermissionsOf(userId: number): Promise<string[]> {
    const rows = await this.db
      .selectFrom('minke_user_permissions as up')
      .innerJoin('minke_permissions as p', 'p.id', 'up.permission_id')
      .select('p.codename')
      .where('up.user_id', '=', userId)
      .union(
        this.db
          .selectFrom('minke_user_group_members as m')
          .innerJoin('minke_user_group_permissions as gp', 'gp.group_id', 'm.group_id')
          .innerJoin('minke_permissions as p', 'p.id', 'gp.permission_id')
          .select('p.codename')
          .where('m.user_id', '=', userId),
      )
      .execute();
    return rows.map((row) => row.codename);
  }

  async directPermissionIds(userId: number): Promise<Set<number>> {
    const rows = await this.db
      .selectFrom('minke_user_permissions')
      .select('permission_id')
      .where('user_id', '=', userId)
      .execute();
    return new Set(rows.map((row) => row.permission_id));
  }

  async setUserGroups(userId: number, groupIds: readonly number[]): Promise<void> {
    await this.db.deleteFrom('minke_user_group_members').where('user_id', '=', userId).execute();
    const rows = unique(groupIds).map((groupId) => ({ user_id: userId, group_id: groupId }));
    if (rows.length > 0)
      await this.db.insertInto('minke_user_group_members').values(rows).execute();
  }

  async setUserPermissions(userId: number, permissionIds: readonly number[]): Promise<void> {
    await this.db.deleteFrom('minke_user_permissions').where('user_id', '=', userId).execute();
    await this.addUserPermissions(userId, unique(permissionIds));
  }

  async setGroupPermissions(groupId: number, permissionIds: readonly number[]): Promise<void> {
    await this.db
      .deleteFrom('minke_user_group_permissions')
      .where('group_id', '=', groupId)
      .execute();
    const rows = unique(permissionIds).map((id) => ({ group_id: groupId, permission_id: id }));
    if (rows.length > 0) {
      await this.db.insertInto('minke_user_group_permissions').values(rows).execute();
    }
  }

  async addUserPermissions(userId: number, permissionIds: readonly number[]): Promise<void> {
    if (permissionIds.length === 0) return;
    await this.db
      .insertInto('minke_user_permissions')
      .values(permissionIds.map((id) => ({ user_id: userId, permission_id: id })))
      .execute();
  }

  async removeUserPermissions(userId: number, permissionIds: readonly number[]): Promise<void> {
    if (permissionIds.length === 0) return;
    await this.db
      .deleteFrom('minke_user_permissions')
      .where('user_id', '=', userId)
      .where('permission_id', 'in', [...permissionIds])
      .execute();
  }
}

function unique(ids: readonly number[]): number[] {
  return [...new Set(ids)];
}
