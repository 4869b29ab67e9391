import type { MinkeKysely } from '../store/minke-kysely.js';
import type { DatabaseHandle } from '../store/transaction.js';

/** The one writer of the permissions table: what may be granted (codename and name). */
export class PermissionStore {
  constructor(private readonly database: DatabaseHandle) {}

  /** The same store inside a transaction (`inTransaction`'s handle). */
  in(trx: DatabaseHandle): PermissionStore {
    return new PermissionStore(trx);
  }

  private get db(): MinkeKysely {
    return this.database.tables;
  }

  async list(): Promise<{ codename: string; name: string }[]> {
    return this.db
      .selectFrom('minke_permissions')
      .select(['codename', 'name'])
      .orderBy('codename')
      .execute();
  }

  async codenames(): Promise<Set<string>> {
    const rows = await this.db.selectFrom('minke_permissions').select('codename').execute();
    return new Set(rows.map((row) => row.codename));
  }

  /** Permission ids by codename; codenames not found are left out. */
  async idsByCodename(codenames: readonly string[]): Promise<Map<string, number>> {
    if (codenames.length === 0) return new Map();
    const rows = await this.db
      .selectFrom('minke_permissions')
      .select(['id', 'codename'])
      .where('codename', 'in', [...codenames])
      .execute();
    return new Map(rows.map((row) => [row.codename, row.id]));
  }

  async insert(permissions: readonly { codename: string; name: string }[]): Promise<void> {
    if (permissions.length === 0) return;
    await this.db
      .insertInto('minke_permissions')
      .values([...permissions])
      .execute();
  }

  /** Inserts the permission unless one with its codename exists. */
  async ensure(permission: { codename: string; name: string }): Promise<void> {
    await this.db
      .insertInto('minke_permissions')
      .values(permission)
      .onConflict((oc) => oc.column('codename').doNothing())
      .execute();
  }

  /** Deletes permissions; the grants of each go with it (ON DELETE CASCADE). */
  async delete(codenames: readonly string[]): Promise<void> {
    if (codenames.length === 0) return;
    await this.db
      .deleteFrom('minke_permissions')
      .where('codename', 'in', [...codenames])
      .execute();
  }
}
