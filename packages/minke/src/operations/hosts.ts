import { recordAudit, type AuditChange } from '../audit/audit-log.js';
import { ConflictError, InputError, NotFoundError } from '../errors.js';
import type { RecordValues } from '../model/record-codec.js';
import type { Filter } from '../query/filter.js';
import type { Database, DynamicKysely } from '../store/database.js';
import type { Page, RecordRepository } from '../store/record-repository.js';
import { checkConfigMapping, parseConnectionConfigText } from './connection-config-text.js';
import {
  checkConfigChange,
  checkHostChange,
  mayManageConnections,
  type ConnectionActor,
  type HostConnectionState,
} from './connection-guard.js';
import { checkHostName } from './host-names.js';
import { connectionConfigLayerSchema } from '../transport/connection-config.js';

export interface HostInput {
  name: string;
  hostname?: string | null | undefined;
  port?: number | null | undefined;
  user?: string | null | undefined;
  /** Connection config: YAML/JSON text or a mapping. */
  config?: string | Record<string, unknown> | undefined;
  groups?: readonly string[] | undefined;
  disabled?: boolean | undefined;
  comment?: string | null | undefined;
}

export interface HostRecord extends RecordValues {
  name: string;
  groups: string[];
}

/**
 * Hosts and host groups: the Host model plus its groups, shared by the CLI, the API and tests.
 * Writes take the actor who makes them: settings that use the Minke server's own resources are
 * refused to users without manage_connections (see connection-guard.ts); no actor is the
 * machine's operator (CLI, fixtures), who may do anything.
 */
export class HostOperations {
  constructor(
    private readonly database: Database,
    private readonly records: RecordRepository,
    /** The project's `ssh` setting: the first layer every host's connection gets. */
    private readonly projectConnection: unknown = {},
  ) {}

  private get db(): DynamicKysely {
    return this.database.db;
  }

  async add(input: HostInput, actor?: ConnectionActor): Promise<HostRecord> {
    const name = checkHostName(input.name);
    if (await this.records.findBy('Host', 'name', name)) {
      throw new ConflictError(`host ${name} already exists`, { fields: { name: 'already taken' } });
    }
    const { groupIds, config, port } = await this.checkAdd(input, actor);
    const created = await this.records.create('Host', {
      name,
      hostname: input.hostname ?? null,
      port,
      user: input.user ?? null,
      config,
      disabled: input.disabled ?? false,
      comment: input.comment ?? null,
    });
    await this.setGroups(created.id, groupIds);
    const host = await this.get(name);
    await recordAudit(this.database, hostChange('host.create', undefined, host));
    return host;
  }

  /**
   * Checks a new host's input as `add` does, writing nothing: its groups, config and port, and
   * that the actor may set its connection.
   */
  async checkAdd(
    input: HostInput,
    actor?: ConnectionActor,
  ): Promise<{ groupIds: number[]; config: Record<string, unknown>; port: number | null }> {
    const name = checkHostName(input.name);
    const groupIds = await this.groupIds(input.groups ?? []);
    const config = configOf(input.config, `host ${name}`);
    const port = checkPort(input.port);
    if (!mayManageConnections(actor)) {
      checkHostChange(actor, this.projectConnection, undefined, {
        name,
        hostname: input.hostname,
        port,
        config,
        groups: await this.groupLayers(groupIds),
      });
    }
    return { groupIds, config, port };
  }

  async update(
    name: string,
    changes: Partial<HostInput>,
    actor?: ConnectionActor,
  ): Promise<HostRecord> {
    const host = await this.get(name);
    const values: Record<string, unknown> = {};
    if (changes.name !== undefined) values['name'] = checkHostName(changes.name);
    if (changes.hostname !== undefined) values['hostname'] = changes.hostname;
    if (changes.port !== undefined) values['port'] = checkPort(changes.port);
    if (changes.user !== undefined) values['user'] = changes.user;
    if (changes.config !== undefined) values['config'] = configOf(changes.config, `host ${name}`);
    if (changes.disabled !== undefined) values['disabled'] = changes.disabled;
    if (changes.comment !== undefined) values['comment'] = changes.comment;
    const groupIds = changes.groups === undefined ? undefined : await this.groupIds(changes.groups);
    if (!mayManageConnections(actor)) {
      const before = await this.connectionState(host);
      const after = await this.connectionState({ ...host, ...values }, groupIds);
      checkHostChange(actor, this.projectConnection, before, after);
    }
    if (Object.keys(values).length > 0) await this.records.update('Host', host.id, values);
    if (groupIds !== undefined) await this.setGroups(host.id, groupIds);
    const updated = await this.get((values['name'] as string | undefined) ?? name);
    await recordAudit(this.database, hostChange('host.update', host, updated));
    return updated;
  }

  async get(name: string): Promise<HostRecord> {
    const host = await this.records.findBy('Host', 'name', name);
    if (!host) throw new NotFoundError(`host ${name} does not exist`);
    const [withGroups] = await this.attachGroups([host]);
    return withGroups as HostRecord;
  }

  async list(
    query: { filter?: Filter; search?: string; limit?: number; offset?: number } = {},
  ): Promise<Page<HostRecord>> {
    const page = await this.records.list('Host', query);
    return { ...page, items: await this.attachGroups(page.items) };
  }

  async remove(name: string): Promise<void> {
    const host = await this.get(name);
    await this.records.delete('Host', host.id);
    await recordAudit(this.database, hostChange('host.delete', host, undefined));
  }

  async addGroup(
    input: {
      name: string;
      config?: string | Record<string, unknown>;
      comment?: string | null;
    },
    actor?: ConnectionActor,
  ): Promise<GroupRecord> {
    const name = checkHostName(input.name);
    const config = configOf(input.config, `group ${name}`);
    checkConfigChange(actor, 'group', undefined, config);
    const exists = await this.db
      .selectFrom('minke_host_groups')
      .select('id')
      .where('name', '=', name)
      .executeTakeFirst();
    if (exists)
      throw new ConflictError(`group ${name} already exists`, {
        fields: { name: 'already taken' },
      });
    await this.db
      .insertInto('minke_host_groups')
      .values({
        name,
        config: JSON.stringify(config),
        comment: input.comment ?? null,
      })
      .execute();
    const group = await this.getGroup(name);
    await recordAudit(this.database, groupChange('group.create', undefined, group));
    return group;
  }

  async getGroup(name: string): Promise<GroupRecord> {
    const row = await this.groupRow(name);
    const members = await this.membersOf([Number(row.id)]);
    const names = members.get(Number(row.id)) ?? [];
    return { ...this.groupRecord(row), hosts: names.length, members: names };
  }

  /**
   * Renames a group, replaces its connection config or comment, or sets its members (host names;
   * hosts that join get the group last in their layering order, hosts that stay keep their
   * order). Checked whole before anything is written: a mistake changes nothing.
   */
  async updateGroup(
    name: string,
    changes: GroupChanges,
    actor?: ConnectionActor,
  ): Promise<GroupRecord> {
    const row = await this.groupRow(name);
    const previous = await this.getGroup(name);
    const id = Number(row.id);
    const values: Record<string, unknown> = {};
    if (changes.name !== undefined && changes.name !== name) {
      const newName = checkHostName(changes.name);
      const taken = await this.db
        .selectFrom('minke_host_groups')
        .select('id')
        .where('name', '=', newName)
        .executeTakeFirst();
      if (taken)
        throw new ConflictError(`group ${newName} already exists`, {
          fields: { name: 'already taken' },
        });
      values['name'] = newName;
    }
    const config =
      changes.config === undefined ? undefined : configOf(changes.config, `group ${name}`);
    if (config !== undefined) values['config'] = JSON.stringify(config);
    if (changes.comment !== undefined) values['comment'] = changes.comment;
    const memberIds =
      changes.members === undefined ? undefined : await this.hostIds(changes.members);
    if (!mayManageConnections(actor)) {
      const stored = JSON.parse(row.config) as unknown;
      checkConfigChange(actor, 'group', stored, config ?? stored);
      await this.checkMembersOfChangedGroup(actor, row, { ...values, config }, memberIds);
    }
    await this.db.transaction().execute(async (trx) => {
      if (Object.keys(values).length > 0)
        await trx.updateTable('minke_host_groups').set(values).where('id', '=', id).execute();
      if (memberIds === undefined) return;
      const current = (await trx
        .selectFrom('minke_host_group_members')
        .select('host_id')
        .where('group_id', '=', id)
        .execute()) as { host_id: unknown }[];
      const had = new Set(current.map((m) => Number(m.host_id)));
      const wanted = new Set(memberIds);
      const leaving = [...had].filter((hostId) => !wanted.has(hostId));
      if (leaving.length > 0) {
        await trx
          .deleteFrom('minke_host_group_members')
          .where('group_id', '=', id)
          .where('host_id', 'in', leaving)
          .execute();
      }
      for (const hostId of wanted) {
        if (had.has(hostId)) continue;
        const last = await trx
          .selectFrom('minke_host_group_members')
          .select((eb) => eb.fn.max('position').as('p'))
          .where('host_id', '=', hostId)
          .executeTakeFirst();
        const position = last?.p === null || last?.p === undefined ? 0 : Number(last.p) + 1;
        await trx
          .insertInto('minke_host_group_members')
          .values({ host_id: hostId, group_id: id, position })
          .execute();
      }
    });
    const updated = await this.getGroup((values['name'] as string | undefined) ?? name);
    await recordAudit(this.database, groupChange('group.update', previous, updated));
    return updated;
  }

  /** Removes a group: its hosts stay, without its connection config. */
  async removeGroup(name: string, actor?: ConnectionActor): Promise<void> {
    const row = await this.groupRow(name);
    // Its hosts lose its settings: refused when that sends one of their passwords elsewhere.
    if (!mayManageConnections(actor)) await this.checkMembersOfChangedGroup(actor, row, {}, []);
    const previous = await this.getGroup(name);
    await this.db.transaction().execute(async (trx) => {
      // Members first: correct whether or not the backend enforces ON DELETE CASCADE.
      await trx.deleteFrom('minke_host_group_members').where('group_id', '=', row.id).execute();
      await trx.deleteFrom('minke_host_groups').where('id', '=', row.id).execute();
    });
    await recordAudit(this.database, groupChange('group.delete', previous, undefined));
  }

  /**
   * A group change is a change of each host it touches (its members, before and after): each is
   * checked as if the host itself had changed, so a group cannot carry what its hosts may not.
   */
  private async checkMembersOfChangedGroup(
    actor: ConnectionActor,
    row: GroupRow,
    changed: { name?: unknown; config?: Record<string, unknown> | undefined },
    memberIds: number[] | undefined,
  ): Promise<void> {
    const id = Number(row.id);
    const current = (await this.db
      .selectFrom('minke_host_group_members')
      .select('host_id')
      .where('group_id', '=', id)
      .execute()) as { host_id: unknown }[];
    const touched = new Set([...current.map((m) => Number(m.host_id)), ...(memberIds ?? [])]);
    const wanted = new Set(memberIds ?? current.map((m) => Number(m.host_id)));
    const after = {
      id,
      name: typeof changed.name === 'string' ? changed.name : row.name,
      config: changed.config ?? (JSON.parse(row.config) as unknown),
    };
    for (const hostId of touched) {
      const host = await this.records.get('Host', hostId);
      const before = await this.connectionState(host);
      const others = before.groups.filter((group) => group.id !== id);
      const state = { ...before, groups: wanted.has(hostId) ? [...others, after] : others };
      checkHostChange(actor, this.projectConnection, before, state);
    }
  }

  /** A host's connection as stored, or as it would be with `groupIds` as its groups. */
  private async connectionState(
    host: RecordValues,
    groupIds?: readonly number[],
  ): Promise<HostConnectionState> {
    const groups =
      groupIds === undefined
        ? await this.groupLayersOfHost(host.id)
        : await this.groupLayers(groupIds);
    return {
      name: String(host['name']),
      hostname: host['hostname'],
      port: host['port'],
      config: host['config'],
      groups,
    };
  }

  private async groupLayersOfHost(hostId: number): Promise<HostConnectionState['groups']> {
    const rows = (await this.db
      .selectFrom('minke_host_group_members')
      .select('group_id')
      .where('host_id', '=', hostId)
      .execute()) as { group_id: unknown }[];
    return this.groupLayers(rows.map((row) => Number(row.group_id)));
  }

  private async groupLayers(groupIds: readonly number[]): Promise<HostConnectionState['groups']> {
    if (groupIds.length === 0) return [];
    const rows = (await this.db
      .selectFrom('minke_host_groups')
      .selectAll()
      .where('id', 'in', [...groupIds])
      .execute()) as GroupRow[];
    return rows.map((row) => ({
      id: Number(row.id),
      name: row.name,
      config: JSON.parse(row.config) as unknown,
    }));
  }

  private async groupRow(name: string): Promise<GroupRow> {
    const row = await this.db
      .selectFrom('minke_host_groups')
      .selectAll()
      .where('name', '=', name)
      .executeTakeFirst();
    if (!row) throw new NotFoundError(`group ${name} does not exist`);
    return row as GroupRow;
  }

  async listGroups(): Promise<GroupRecord[]> {
    const rows = (await this.db
      .selectFrom('minke_host_groups')
      .selectAll()
      .orderBy('name')
      .execute()) as GroupRow[];
    const members = await this.membersOf(rows.map((row) => Number(row.id)));
    return rows.map((row) => {
      const names = members.get(Number(row.id)) ?? [];
      return { ...this.groupRecord(row), hosts: names.length, members: names };
    });
  }

  /** The host names in each group, by name (one query). */
  private async membersOf(groupIds: readonly number[]): Promise<Map<number, string[]>> {
    const out = new Map<number, string[]>();
    if (groupIds.length === 0) return out;
    const rows = (await this.db
      .selectFrom('minke_host_group_members as m')
      .innerJoin('minke_hosts as h', 'h.id', 'm.host_id')
      .select(['m.group_id', 'h.name'])
      .where('m.group_id', 'in', [...groupIds])
      .orderBy('h.name')
      .execute()) as { group_id: unknown; name: string }[];
    for (const row of rows) {
      const list = out.get(Number(row.group_id)) ?? [];
      list.push(row.name);
      out.set(Number(row.group_id), list);
    }
    return out;
  }

  /** Host ids by name, in the order given; unknown names are one input error. */
  private async hostIds(names: readonly string[]): Promise<number[]> {
    const unique = [...new Set(names)];
    if (unique.length === 0) return [];
    const rows = (await this.db
      .selectFrom('minke_hosts')
      .select(['id', 'name'])
      .where('name', 'in', unique)
      .execute()) as { id: unknown; name: string }[];
    const idOf = new Map(rows.map((row) => [row.name, Number(row.id)]));
    const missing = unique.filter((name) => !idOf.has(name));
    if (missing.length > 0) {
      throw new InputError(`unknown host(s): ${missing.join(', ')}`, {
        fields: { members: `unknown: ${missing.join(', ')}` },
      });
    }
    return unique.map((name) => idOf.get(name) as number);
  }

  /** Group configs of a host, in the order its groups were given: the layering order. */
  async groupConfigs(hostId: number): Promise<{ name: string; config: Record<string, unknown> }[]> {
    const rows = (await this.db
      .selectFrom('minke_host_group_members')
      .innerJoin('minke_host_groups', 'minke_host_groups.id', 'minke_host_group_members.group_id')
      .select(['minke_host_groups.name', 'minke_host_groups.config'])
      .where('minke_host_group_members.host_id', '=', hostId)
      .orderBy('minke_host_group_members.position')
      .execute()) as { name: string; config: string }[];
    return rows.map((row) => ({
      name: row.name,
      config: JSON.parse(row.config) as Record<string, unknown>,
    }));
  }

  private groupRecord(row: GroupRow): GroupRecord {
    return {
      id: Number(row.id),
      name: row.name,
      config: JSON.parse(row.config) as Record<string, unknown>,
      comment: row.comment,
      hosts: 0,
      members: [],
    };
  }

  private async groupIds(names: readonly string[]): Promise<number[]> {
    if (names.length === 0) return [];
    const rows = (await this.db
      .selectFrom('minke_host_groups')
      .select(['id', 'name'])
      .where('name', 'in', [...names])
      .execute()) as { id: unknown; name: string }[];
    const idOf = new Map(rows.map((row) => [row.name, Number(row.id)]));
    const missing = names.filter((name) => !idOf.has(name));
    if (missing.length > 0) {
      throw new InputError(
        `unknown group(s): ${missing.join(', ')} (create them with \`minke groups add\`)`,
        {
          fields: { groups: `unknown: ${missing.join(', ')}` },
        },
      );
    }
    return names.map((name) => idOf.get(name) as number);
  }

  private async setGroups(hostId: number, groupIds: number[]): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('minke_host_group_members').where('host_id', '=', hostId).execute();
      if (groupIds.length > 0) {
        await trx
          .insertInto('minke_host_group_members')
          .values(
            groupIds.map((groupId, position) => ({ host_id: hostId, group_id: groupId, position })),
          )
          .execute();
      }
    });
  }

  private async attachGroups(hosts: RecordValues[]): Promise<HostRecord[]> {
    const groupsOf = await this.groupsOf(hosts.map((h) => h.id));
    return hosts.map((host) => ({
      ...host,
      name: String(host['name']),
      groups: groupsOf.get(host.id) ?? [],
    }));
  }

  /** The group names of each host, in the order their configs apply (one query). */
  async groupsOf(hostIds: readonly number[]): Promise<Map<number, string[]>> {
    const out = new Map<number, string[]>();
    if (hostIds.length === 0) return out;
    const rows = (await this.db
      .selectFrom('minke_host_group_members')
      .innerJoin('minke_host_groups', 'minke_host_groups.id', 'minke_host_group_members.group_id')
      .select(['minke_host_group_members.host_id', 'minke_host_groups.name'])
      .where('minke_host_group_members.host_id', 'in', [...hostIds])
      .orderBy('minke_host_group_members.position')
      .execute()) as { host_id: unknown; name: string }[];
    for (const row of rows) {
      const list = out.get(Number(row.host_id)) ?? [];
      list.push(row.name);
      out.set(Number(row.host_id), list);
    }
    return out;
  }
}

export interface GroupRecord {
  id: number;
  name: string;
  config: Record<string, unknown>;
  comment: string | null;
  /** How many hosts are in the group. */
  hosts: number;
  /** Their names, sorted. */
  members: string[];
}

export interface GroupChanges {
  name?: string | undefined;
  /** Connection config: YAML/JSON text or a mapping; replaces the current one. */
  config?: string | Record<string, unknown> | undefined;
  comment?: string | null | undefined;
  /** Host names: the group's members afterwards. */
  members?: readonly string[] | undefined;
}

interface GroupRow {
  id: unknown;
  name: string;
  config: string;
  comment: string | null;
}

function configOf(config: HostInput['config'], where: string): Record<string, unknown> {
  if (config === undefined) return {};
  const mapping =
    typeof config === 'string'
      ? parseConnectionConfigText(config, where)
      : checkConfigMapping(config, where);
  // Checked now, so that a typo is refused when it is written, not when a session first connects.
  const parsed = connectionConfigLayerSchema.safeParse(mapping);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const key = issue.path.join('.');
      const reason =
        issue.code === 'unrecognized_keys'
          ? `unknown setting(s) ${issue.keys.join(', ')}`
          : issue.message;
      return key ? `${key}: ${reason}` : reason;
    });
    throw new InputError(`${where}: invalid connection config: ${problems.join('; ')}`, {
      fields: { config: problems.join('; ') },
    });
  }
  return mapping;
}

function checkPort(port: number | null | undefined): number | null {
  if (port === undefined || port === null) return null;
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new InputError(`invalid port ${String(port)}: use a whole number from 1 to 65535`, {
      fields: { port: 'must be 1-65535' },
    });
  }
  return port;
}

/** A host change for the audit log (its connection config's secrets are redacted there). */
function hostChange(action: string, before?: HostRecord, after?: HostRecord): AuditChange {
  const host = after ?? before;
  return { action, targetType: 'host', targetId: host?.id, targetName: host?.name, before, after };
}

function groupChange(action: string, before?: GroupRecord, after?: GroupRecord): AuditChange {
  const group = after ?? before;
  return {
    action,
    targetType: 'group',
    targetId: group?.id,
    targetName: group?.name,
    before,
    after,
  };
}
