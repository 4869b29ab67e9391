import { listsByKey } from '../util/lists-by-key.js';
import { ConflictError, NotFoundError } from '../errors.js';
import type { RecordValues } from '../model/record-codec.js';
import type { Filter } from '../query/filter.js';
import type { Page, RecordRepository } from '../records/record-repository.js';
import type { DatabaseHandle } from '../store/transaction.js';

/** A host as the operations and the API see it: the Host model's values and its group names. */
export interface HostRecord extends RecordValues {
  name: string;
  groups: string[];
}

export interface GroupRow {
  id: number;
  name: string;
  config: Record<string, unknown>;
  comment: string | null;
}

export interface GroupValues {
  name?: string;
  config?: Record<string, unknown>;
  comment?: string | null;
}

/**
 * The one writer of hosts (through the Host model's records, which validate them), host groups
 * and group membership. Rules (who may change what, config checks) live in the host operations.
 */
export class HostStore {
  constructor(
    private readonly database: DatabaseHandle,
    private readonly records: RecordRepository,
  ) {}

  /** The same store inside a transaction (`inTransaction`'s handle). */
  in(trx: DatabaseHandle): HostStore {
    return new HostStore(trx, this.records.in(trx));
  }

  private get tables(): DatabaseHandle['tables'] {
    return this.database.tables;
  }

  // Hosts

  async findHost(name: string): Promise<RecordValues | undefined> {
    return this.records.findBy('Host', 'name', name);
  }

  async host(name: string): Promise<HostRecord> {
    const host = await this.findHost(name);
    if (!host) throw new NotFoundError(`host ${name} does not exist`);
    const [withGroups] = await this.attachGroups([host]);
    return withGroups as HostRecord;
  }

  async hostById(id: number): Promise<RecordValues> {
    return this.records.get('Host', id);
  }

  async listHosts(
    query: { filter?: Filter; search?: string; limit?: number; offset?: number } = {},
  ): Promise<Page<HostRecord>> {
    const page = await this.records.list('Host', query);
    return { ...page, items: await this.attachGroups(page.items) };
  }

  async insertHost(values: Record<string, unknown>): Promise<RecordValues> {
    return this.records.create('Host', values);
  }

  async updateHost(id: number, values: Record<string, unknown>): Promise<void> {
    if (Object.keys(values).length > 0) await this.records.update('Host', id, values);
  }

  async deleteHost(id: number): Promise<void> {
    await this.records.delete('Host', id);
  }

  /** Host ids by name; names not found are left out. */
  async hostIdsByName(names: readonly string[]): Promise<Map<string, number>> {
    if (names.length === 0) return new Map();
    // Through the records' bulk lookup: an IN list of names is slow on PostgreSQL (see there).
    const rows = await this.records.idsWhereIn('Host', 'name', names);
    return new Map(rows.map((row) => [String(row.value), row.id]));
  }

  // Groups

  async findGroup(name: string): Promise<GroupRow | undefined> {
    return this.tables
      .selectFrom('minke_host_groups')
      .select(['id', 'name', 'config', 'comment'])
      .where('name', '=', name)
      .executeTakeFirst();
  }

  async group(name: string): Promise<GroupRow> {
    const row = await this.findGroup(name);
    if (!row) throw new NotFoundError(`group ${name} does not exist`);
    return row;
  }

  async groupsByIds(ids: readonly number[]): Promise<GroupRow[]> {
    if (ids.length === 0) return [];
    return this.tables
      .selectFrom('minke_host_groups')
      .select(['id', 'name', 'config', 'comment'])
      .where('id', 'in', [...ids])
      .execute();
  }

  async listGroups(): Promise<GroupRow[]> {
    return this.tables
      .selectFrom('minke_host_groups')
      .select(['id', 'name', 'config', 'comment'])
      .orderBy('name')
      .execute();
  }

  /** Group ids by name; names not found are left out. */
  async groupIdsByName(names: readonly string[]): Promise<Map<string, number>> {
    if (names.length === 0) return new Map();
    const rows = await this.tables
      .selectFrom('minke_host_groups')
      .select(['id', 'name'])
      .where('name', 'in', [...names])
      .execute();
    return new Map(rows.map((row) => [row.name, row.id]));
  }

  async insertGroup(values: Required<GroupValues> & { name: string }): Promise<void> {
    await this.tables.insertInto('minke_host_groups').values(values).execute();
  }

  async updateGroup(id: number, values: GroupValues): Promise<void> {
    if (Object.keys(values).length === 0) return;
    await this.tables.updateTable('minke_host_groups').set(values).where('id', '=', id).execute();
  }

  /** Removes a group and its memberships; its hosts stay. */
  async deleteGroup(id: number): Promise<void> {
    // Members first: correct whether or not the backend enforces ON DELETE CASCADE.
    await this.tables.deleteFrom('minke_host_group_members').where('group_id', '=', id).execute();
    await this.tables.deleteFrom('minke_host_groups').where('id', '=', id).execute();
  }

  /** Fails with a conflict when another group has this name. */
  async assertGroupNameFree(name: string): Promise<void> {
    if (await this.findGroup(name)) {
      throw new ConflictError(`group ${name} already exists`, {
        fields: { name: 'already taken' },
      });
    }
  }

  // Membership

  async memberIds(groupId: number): Promise<number[]> {
    const rows = await this.tables
      .selectFrom('minke_host_group_members')
      .select('host_id')
      .where('group_id', '=', groupId)
      .execute();
    return rows.map((row) => row.host_id);
  }

  /** A host's group ids, in the order their configs apply. */
  async groupIdsOfHost(hostId: number): Promise<number[]> {
    const rows = await this.tables
      .selectFrom('minke_host_group_members')
      .select('group_id')
      .where('host_id', '=', hostId)
      .orderBy('position')
      .execute();
    return rows.map((row) => row.group_id);
  }

  /** The host names in each group, by name (one query). */
  async membersOf(groupIds: readonly number[]): Promise<Map<number, string[]>> {
    if (groupIds.length === 0) return new Map();
    const rows = await this.tables
      .selectFrom('minke_host_group_members as m')
      .innerJoin('minke_hosts as h', 'h.id', 'm.host_id')
      .select(['m.group_id', 'h.name'])
      .where('m.group_id', 'in', [...groupIds])
      .orderBy('h.name')
      .execute();
    return listsByKey(
      rows,
      (row) => row.group_id,
      (row) => row.name,
    );
  }

  /** The group names of each host, in the order their configs apply (one query). */
  async groupsOf(hostIds: readonly number[]): Promise<Map<number, string[]>> {
    if (hostIds.length === 0) return new Map();
    const rows = await this.tables
      .selectFrom('minke_host_group_members as m')
      .innerJoin('minke_host_groups as g', 'g.id', 'm.group_id')
      .select(['m.host_id', 'g.name'])
      .where('m.host_id', 'in', [...hostIds])
      .orderBy('m.position')
      .execute();
    return listsByKey(
      rows,
      (row) => row.host_id,
      (row) => row.name,
    );
  }

  /** Host rows by name, without their groups (many at once: a run's connections); names not
   * found are left out. At most a few hundred names a call. */
  async hostsByName(
    names: readonly string[],
  ): Promise<Map<string, RecordValues & { name: string }>> {
    const found = new Map<string, RecordValues & { name: string }>();
    if (names.length === 0) return found;
    // The ids by name first (an IN list of names is slow on PostgreSQL), then the rows by id.
    const ids = (await this.records.idsWhereIn('Host', 'name', names)).map((row) => row.id);
    if (ids.length === 0) return found;
    const page = await this.records.list('Host', {
      filter: { path: ['id'], op: 'in', values: ids },
      limit: ids.length,
    });
    for (const host of page.items) {
      const name = String(host['name']);
      found.set(name, { ...host, name });
    }
    return found;
  }

  /** `groupConfigs` of many hosts in one statement; hosts in no group are left out. */
  async groupConfigsOf(
    hostIds: readonly number[],
  ): Promise<Map<number, { name: string; config: Record<string, unknown> }[]>> {
    if (hostIds.length === 0) return new Map();
    const rows = await this.tables
      .selectFrom('minke_host_group_members as m')
      .innerJoin('minke_host_groups as g', 'g.id', 'm.group_id')
      .select(['m.host_id', 'g.name', 'g.config'])
      .where('m.host_id', 'in', [...hostIds])
      .orderBy('m.host_id')
      .orderBy('m.position')
      .execute();
    return listsByKey(
      rows,
      (row) => row.host_id,
      (row) => ({ name: row.name, config: row.config }),
    );
  }

  /** Group configs of a host, in the order its groups were given: the layering order. */
  async groupConfigs(hostId: number): Promise<{ name: string; config: Record<string, unknown> }[]> {
    return this.tables
      .selectFrom('minke_host_group_members as m')
      .innerJoin('minke_host_groups as g', 'g.id', 'm.group_id')
      .select(['g.name', 'g.config'])
      .where('m.host_id', '=', hostId)
      .orderBy('m.position')
      .execute();
  }

  /** Replaces a host's groups; their order is the order their configs apply. */
  async setHostGroups(hostId: number, groupIds: readonly number[]): Promise<void> {
    await this.tables
      .deleteFrom('minke_host_group_members')
      .where('host_id', '=', hostId)
      .execute();
    await this.addHostGroups(hostId, groupIds);
  }

  /** A new host's groups, in layering order (it has none yet: nothing to replace). */
  async addHostGroups(hostId: number, groupIds: readonly number[]): Promise<void> {
    if (groupIds.length === 0) return;
    await this.tables
      .insertInto('minke_host_group_members')
      .values(
        groupIds.map((groupId, position) => ({ host_id: hostId, group_id: groupId, position })),
      )
      .execute();
  }

  /**
   * Sets a group's members: hosts that join get the group last in their layering order, hosts
   * that stay keep their order.
   */
  async setGroupMembers(groupId: number, hostIds: readonly number[]): Promise<void> {
    const had = new Set(await this.memberIds(groupId));
    const wanted = new Set(hostIds);
    const leaving = [...had].filter((hostId) => !wanted.has(hostId));
    if (leaving.length > 0) {
      await this.tables
        .deleteFrom('minke_host_group_members')
        .where('group_id', '=', groupId)
        .where('host_id', 'in', leaving)
        .execute();
    }
    for (const hostId of wanted) {
      if (had.has(hostId)) continue;
      const last = await this.tables
        .selectFrom('minke_host_group_members')
        .select((eb) => eb.fn.max('position').as('p'))
        .where('host_id', '=', hostId)
        .executeTakeFirst();
      const position = last?.p === null || last?.p === undefined ? 0 : Number(last.p) + 1;
      await this.tables
        .insertInto('minke_host_group_members')
        .values({ host_id: hostId, group_id: groupId, position })
        .execute();
    }
  }

  private async attachGroups(hosts: RecordValues[]): Promise<HostRecord[]> {
    const groupsOf = await this.groupsOf(hosts.map((h) => h.id));
    return hosts.map((host) => hostRecordOf(host, groupsOf.get(host.id) ?? []));
  }
}

/** A host's record with its group names in layering order, as every reader of hosts has it. */
export function hostRecordOf(host: RecordValues, groups: readonly string[]): HostRecord {
  return { ...host, name: String(host['name']), groups: [...groups] };
}
