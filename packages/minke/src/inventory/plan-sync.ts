import type { InventoryFieldChange, InventoryPlan } from '@minke/contract';
import type { InventorySourceDefinition } from '../config/define-inventory-source.js';
import { InputError, isMinkeError } from '../errors.js';
import type { ModelDefinition } from '../model/define-model.js';
import { HOST_MODEL } from '../model/host-model.js';
import type { RecordValues } from '../model/record-codec.js';
import type { ConnectionActor } from '../operations/connection-guard.js';
import type { HostRecord } from '../operations/hosts.js';
import type { Project } from '../operations/project.js';
import type { InventoryListing, ListedHost, ListedRecord } from './inventory-listing.js';
import { InventoryStore } from './inventory-store.js';
import { coerceFields } from './coerce-fields.js';

/** A host to add, with its checked settings. */
export interface HostAddition {
  listed: ListedHost;
  groupIds: number[];
  config: Record<string, unknown>;
}

/** A host to change: its values now, the new values, and what ownership does. */
export interface HostChange {
  host: HostRecord;
  values: Record<string, unknown>;
  groupIds: number[] | undefined;
  changes: InventoryFieldChange[];
  /** The host was added by hand: the source takes it over. */
  takeOver: boolean;
  /** The source had disabled it and lists it again. */
  reEnable: boolean;
}

export interface HostRemoval {
  host: HostRecord;
  action: 'disable' | 'delete';
}

export interface RecordAction {
  model: ModelDefinition;
  /** The model's reference to Host, which ties the record to its host. */
  hostField: string;
  host: string;
  existing: RecordValues | undefined;
  fields: Record<string, unknown>;
  changes: InventoryFieldChange[];
  /** Where the source lists it, for messages. */
  at: string;
}

/** What a sync will do, with what applying it needs. */
export interface SyncPlan {
  source: InventorySourceDefinition;
  additions: HostAddition[];
  changes: HostChange[];
  removals: HostRemoval[];
  unchanged: number;
  skipped: { name: string; reason: string }[];
  records: RecordAction[];
}

/**
 * Compares a source's listing with the hosts (and records) in the database: which hosts to add,
 * change, disable or delete, which are unchanged. Only hosts the source owns are removed; a host
 * another source owns is skipped; a host added by hand of a listed name is taken over. Every host
 * is checked as `minke hosts add` checks it (name, groups, port, connection config), so a mistake
 * anywhere stops the sync before anything is written.
 */
export async function planSync(
  project: Project,
  source: InventorySourceDefinition,
  listing: InventoryListing,
  options: { actor?: ConnectionActor; allowEmpty?: boolean | undefined } = {},
): Promise<SyncPlan> {
  checkNoDuplicates(listing);
  const hosts = (await project.hosts.list({ limit: 1_000_000 })).items;
  const byName = new Map(hosts.map((host) => [host.name, host]));
  const owners = await new InventoryStore(project.database).owners();
  const plan: SyncPlan = {
    source,
    additions: [],
    changes: [],
    removals: [],
    unchanged: 0,
    skipped: [],
    records: [],
  };
  for (const listed of listing.hosts) {
    const checked = await checkHost(project, listed, options.actor);
    const host = byName.get(listed.name);
    if (!host) {
      plan.additions.push({ listed, ...checked });
      continue;
    }
    const owner = owners.get(host.id);
    if (owner && owner.source !== source.name) {
      plan.skipped.push({ name: listed.name, reason: `inventory source ${owner.source} owns it` });
      continue;
    }
    const change = hostChange(host, listed, checked, {
      takeOver: owner === undefined ? source.name : null,
      disabledBySource: owner?.disabledBySource === true,
    });
    if (change) plan.changes.push(change);
    else plan.unchanged++;
  }
  const listedNames = new Set(listing.hosts.map((host) => host.name));
  for (const host of hosts) {
    const owner = owners.get(host.id);
    if (owner?.source !== source.name || listedNames.has(host.name)) continue;
    if (source.removed === 'delete') plan.removals.push({ host, action: 'delete' });
    else if (!host['disabled']) plan.removals.push({ host, action: 'disable' });
  }
  // An empty listing is more often a broken export than an empty fleet: ask before emptying.
  if (listing.hosts.length === 0 && plan.removals.length > 0 && !options.allowEmpty)
    throw new InputError(
      `the source lists no hosts: a sync would ${source.removed} all ${plan.removals.length} host(s) it added; sync with allowEmpty (--allow-empty) if that is what you want`,
    );
  const skippedNames = new Set(plan.skipped.map((skip) => skip.name));
  for (const record of listing.records) {
    if (skippedNames.has(record.host)) continue;
    plan.records.push(await recordAction(project, record, listedNames, byName));
  }
  return plan;
}

/** The plan as the CLI, the API and the web admin show it. */
export function planReport(plan: SyncPlan, dryRun: boolean): InventoryPlan {
  return {
    source: plan.source.name,
    dryRun,
    added: plan.additions.map(({ listed }) => ({
      name: listed.name,
      hostname: listed.hostname,
      port: listed.port,
      user: listed.user,
      groups: listed.groups,
    })),
    changed: plan.changes.map((change) => ({ name: change.host.name, changes: change.changes })),
    removed: plan.removals.map((removal) => ({ name: removal.host.name, action: removal.action })),
    unchanged: plan.unchanged,
    skipped: plan.skipped,
    records: plan.records
      .filter((record) => !record.existing || record.changes.length > 0)
      .map((record) => ({
        model: record.model.name,
        host: record.host,
        action: record.existing ? ('change' as const) : ('add' as const),
        changes: record.changes,
      })),
  };
}

function checkNoDuplicates(listing: InventoryListing): void {
  const seen = new Map<string, string>();
  for (const host of listing.hosts) {
    const first = seen.get(host.name);
    if (first !== undefined)
      throw new InputError(`host ${host.name} is listed twice: ${first} and ${host.at}`);
    seen.set(host.name, host.at);
  }
}

async function checkHost(
  project: Project,
  listed: ListedHost,
  actor: ConnectionActor,
): Promise<{ groupIds: number[]; config: Record<string, unknown> }> {
  try {
    const { groupIds, config } = await project.hosts.checkAdd(
      {
        name: listed.name,
        hostname: listed.hostname,
        port: listed.port,
        user: listed.user,
        groups: listed.groups,
        config: listed.config,
      },
      actor,
    );
    return { groupIds, config };
  } catch (error) {
    // The host's place in the source is what the user needs to find it.
    if (isMinkeError(error)) error.message = `${listed.at} (${listed.name}): ${error.message}`;
    throw error;
  }
}

function hostChange(
  host: HostRecord,
  listed: ListedHost,
  checked: { groupIds: number[]; config: Record<string, unknown> },
  owner: { takeOver: string | null; disabledBySource: boolean },
): HostChange | undefined {
  const values: Record<string, unknown> = {};
  const changes: InventoryFieldChange[] = [];
  const compare = (field: string, before: unknown, after: unknown) => {
    if (JSON.stringify(before ?? null) === JSON.stringify(after ?? null)) return;
    changes.push({ field, before: before ?? null, after: after ?? null });
  };
  for (const field of ['hostname', 'port', 'user'] as const) {
    compare(field, host[field], listed[field]);
    if (changes.at(-1)?.field === field) values[field] = listed[field];
  }
  if (listed.config !== undefined) {
    compare('config', host['config'], checked.config);
    if (changes.at(-1)?.field === 'config') values['config'] = checked.config;
  }
  compare('groups', host.groups, listed.groups);
  const groupsChanged = changes.at(-1)?.field === 'groups';
  const reEnable = owner.disabledBySource && host['disabled'] === true;
  if (reEnable) {
    changes.push({ field: 'disabled', before: true, after: false });
    values['disabled'] = false;
  }
  // A host added by hand of a listed name becomes the source's (shown, so a dry run warns).
  if (owner.takeOver !== null)
    changes.push({ field: 'source', before: null, after: owner.takeOver });
  if (changes.length === 0) return undefined;
  return {
    host,
    values,
    groupIds: groupsChanged ? checked.groupIds : undefined,
    changes,
    takeOver: owner.takeOver !== null,
    reEnable,
  };
}

async function recordAction(
  project: Project,
  record: ListedRecord,
  listedNames: Set<string>,
  byName: Map<string, HostRecord>,
): Promise<RecordAction> {
  const fail = (reason: string) => new InputError(`${record.at}: ${reason}`);
  if (!project.models.userModels.some((model) => model.name === record.model))
    throw fail(`unknown model ${record.model}`);
  const model = project.models.get(record.model);
  const hostField = model.hostLookup;
  const field = model.fields[hostField];
  if (!field || field.kind !== 'ref' || field.model !== HOST_MODEL)
    throw fail(
      `model ${model.name} is not tied to a host by one of its fields (its hostLookup is "${hostField}"), so an inventory cannot fill it`,
    );
  if (!listedNames.has(record.host)) throw fail(`host ${record.host} is not listed by the source`);
  const unknown = Object.keys(record.fields).filter((name) => !(name in model.fields));
  if (unknown.length > 0) throw fail(`model ${model.name} has no field(s) ${unknown.join(', ')}`);
  if (hostField in record.fields) throw fail(`${hostField} is the host's name: give it as host`);
  const fields = coerceFields(model, record.fields, record.at);
  const host = byName.get(record.host);
  const existing = host ? await project.records.findBy(model.name, hostField, host.id) : undefined;
  const changes: InventoryFieldChange[] = [];
  for (const [name, after] of Object.entries(fields)) {
    const before = existing?.[name] ?? null;
    if (existing && JSON.stringify(before) === JSON.stringify(after ?? null)) continue;
    changes.push({ field: name, before: existing ? before : null, after: after ?? null });
  }
  return { model, hostField, host: record.host, existing, fields, changes, at: record.at };
}
