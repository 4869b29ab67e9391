import { auditedTransaction } from '../audit/audit-log.js';
import { recordChange } from '../audit/record-change.js';
import { ConflictError, InputError } from '../errors.js';
import type { RecordValues } from '../model/record-codec.js';
import type { Filter } from '../query/filter.js';
import {
  HostStore,
  hostRecordOf,
  type GroupRow,
  type GroupValues,
  type HostRecord,
} from '../hosts/host-store.js';
import type { Page, RecordRepository } from '../records/record-repository.js';
import type { DatabaseHandle } from '../store/transaction.js';
import { checkConfigMapping, parseConnectionConfigText } from './connection-config-text.js';
import {
  checkConfigChange,
  checkHostChange,
  mayManageConnections,
  type ConnectionActor,
  type HostConnectionState,
} from './connection-guard.js';
import { checkHostName } from './host-names.js';
import { connectionConfigLayerSchema } from '../transport/config/connection-config.js';

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

export type { HostRecord } from '../hosts/host-store.js';

/**
 * Hosts and host groups: the Host model plus its groups, shared by the CLI, the API and tests.
 * Writes take the actor who makes them: settings that use the Minke server's own resources are
 * refused to users without manage_connections (see connection-guard.ts); no actor is the
 * machine's operator (CLI, fixtures), who may do anything. Each change and its audit row are one
 * transaction; the rows themselves are the HostStore's.
 */
export class HostOperations {
  private readonly store: HostStore;

  constructor(
    private readonly database: DatabaseHandle,
    records: RecordRepository,
    /** The project's `ssh` setting: the first layer every host's connection gets. */
    private readonly projectConnection: unknown = {},
  ) {
    this.store = new HostStore(database, records);
  }

  async add(input: HostInput, actor?: ConnectionActor): Promise<HostRecord> {
    const name = checkHostName(input.name);
    if (await this.store.findHost(name)) {
      throw new ConflictError(`host ${name} already exists`, { fields: { name: 'already taken' } });
    }
    const { groupIds, config, port } = await this.checkAdd(input, actor);
    return auditedTransaction(this.database, async (trx, audit) => {
      const store = this.store.in(trx);
      const created = await store.insertHost({
        name,
        hostname: input.hostname ?? null,
        port,
        user: input.user ?? null,
        config,
        disabled: input.disabled ?? false,
        comment: input.comment ?? null,
      });
      await store.addHostGroups(created.id, groupIds);
      // What the insert read back, with the groups as given (their order is the layering one).
      const host = hostRecordOf(created, input.groups ?? []);
      await audit(hostChange('host.create', undefined, host));
      return host;
    });
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
    return auditedTransaction(this.database, async (trx, audit) => {
      const store = this.store.in(trx);
      await store.updateHost(host.id, values);
      if (groupIds !== undefined) await store.setHostGroups(host.id, groupIds);
      const updated = await store.host((values['name'] as string | undefined) ?? name);
      await audit(hostChange('host.update', host, updated));
      return updated;
    });
  }

  async get(name: string): Promise<HostRecord> {
    return this.store.host(name);
  }

  async list(
    query: { filter?: Filter; search?: string; limit?: number; offset?: number } = {},
  ): Promise<Page<HostRecord>> {
    return this.store.listHosts(query);
  }

  async remove(name: string): Promise<void> {
    const host = await this.get(name);
    await auditedTransaction(this.database, async (trx, audit) => {
      await this.store.in(trx).deleteHost(host.id);
      await audit(hostChange('host.delete', host, undefined));
    });
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
    await this.store.assertGroupNameFree(name);
    return auditedTransaction(this.database, async (trx, audit) => {
      const store = this.store.in(trx);
      await store.insertGroup({ name, config, comment: input.comment ?? null });
      const group = await groupRecordOf(store, name);
      await audit(groupChange('group.create', undefined, group));
      return group;
    });
  }

  async getGroup(name: string): Promise<GroupRecord> {
    return groupRecordOf(this.store, name);
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
    const row = await this.store.group(name);
    const previous = await this.getGroup(name);
    const values: GroupValues = {};
    if (changes.name !== undefined && changes.name !== name) {
      const newName = checkHostName(changes.name);
      await this.store.assertGroupNameFree(newName);
      values.name = newName;
    }
    const config =
      changes.config === undefined ? undefined : configOf(changes.config, `group ${name}`);
    if (config !== undefined) values.config = config;
    if (changes.comment !== undefined) values.comment = changes.comment;
    const memberIds =
      changes.members === undefined ? undefined : await this.hostIds(changes.members);
    if (!mayManageConnections(actor)) {
      checkConfigChange(actor, 'group', row.config, config ?? row.config);
      await this.checkMembersOfChangedGroup(actor, row, values, memberIds);
    }
    return auditedTransaction(this.database, async (trx, audit) => {
      const store = this.store.in(trx);
      await store.updateGroup(row.id, values);
      if (memberIds !== undefined) await store.setGroupMembers(row.id, memberIds);
      const updated = await groupRecordOf(store, values.name ?? name);
      await audit(groupChange('group.update', previous, updated));
      return updated;
    });
  }

  /** Removes a group: its hosts stay, without its connection config. */
  async removeGroup(name: string, actor?: ConnectionActor): Promise<void> {
    const row = await this.store.group(name);
    // Its hosts lose its settings: refused when that sends one of their passwords elsewhere.
    if (!mayManageConnections(actor)) await this.checkMembersOfChangedGroup(actor, row, {}, []);
    const previous = await this.getGroup(name);
    await auditedTransaction(this.database, async (trx, audit) => {
      await this.store.in(trx).deleteGroup(row.id);
      await audit(groupChange('group.delete', previous, undefined));
    });
  }

  /**
   * A group change is a change of each host it touches (its members, before and after): each is
   * checked as if the host itself had changed, so a group cannot carry what its hosts may not.
   */
  private async checkMembersOfChangedGroup(
    actor: ConnectionActor,
    row: GroupRow,
    changed: GroupValues,
    memberIds: number[] | undefined,
  ): Promise<void> {
    const current = await this.store.memberIds(row.id);
    const touched = new Set([...current, ...(memberIds ?? [])]);
    const wanted = new Set(memberIds ?? current);
    const after = {
      id: row.id,
      name: changed.name ?? row.name,
      config: changed.config ?? row.config,
    };
    for (const hostId of touched) {
      const host = await this.store.hostById(hostId);
      const before = await this.connectionState(host);
      const others = before.groups.filter((group) => group.id !== row.id);
      const state = { ...before, groups: wanted.has(hostId) ? [...others, after] : others };
      checkHostChange(actor, this.projectConnection, before, state);
    }
  }

  /** A host's connection as stored, or as it would be with `groupIds` as its groups. */
  private async connectionState(
    host: RecordValues,
    groupIds?: readonly number[],
  ): Promise<HostConnectionState> {
    const groups = await this.groupLayers(groupIds ?? (await this.store.groupIdsOfHost(host.id)));
    return {
      name: String(host['name']),
      hostname: host['hostname'],
      port: host['port'],
      config: host['config'],
      groups,
    };
  }

  private async groupLayers(groupIds: readonly number[]): Promise<HostConnectionState['groups']> {
    const rows = await this.store.groupsByIds(groupIds);
    return rows.map((row) => ({ id: row.id, name: row.name, config: row.config }));
  }

  async listGroups(): Promise<GroupRecord[]> {
    const rows = await this.store.listGroups();
    const members = await this.store.membersOf(rows.map((row) => row.id));
    return rows.map((row) => groupRecord(row, members.get(row.id) ?? []));
  }

  /** Host ids by name, in the order given; unknown names are one input error. */
  private async hostIds(names: readonly string[]): Promise<number[]> {
    const unique = [...new Set(names)];
    const idOf = await this.store.hostIdsByName(unique);
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
    return this.store.groupConfigs(hostId);
  }

  private async groupIds(names: readonly string[]): Promise<number[]> {
    const idOf = await this.store.groupIdsByName(names);
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

  /** The group names of each host, in the order their configs apply (one query). */
  async groupsOf(hostIds: readonly number[]): Promise<Map<number, string[]>> {
    return this.store.groupsOf(hostIds);
  }
}

async function groupRecordOf(store: HostStore, name: string): Promise<GroupRecord> {
  const row = await store.group(name);
  const members = await store.membersOf([row.id]);
  return groupRecord(row, members.get(row.id) ?? []);
}

function groupRecord(row: GroupRow, members: string[]): GroupRecord {
  return { ...row, hosts: members.length, members };
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
const hostChange = recordChange<HostRecord>('host', (host) => host.name);
const groupChange = recordChange<GroupRecord>('group', (group) => group.name);
