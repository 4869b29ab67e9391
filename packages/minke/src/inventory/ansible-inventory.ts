import { listsByKey } from '../util/lists-by-key.js';
import { InputError } from '../errors.js';
import type { InventoryListing, ListedHost } from './inventory-listing.js';

/** Ansible's implicit groups: every host is in them, so they say nothing. */
const implicitGroups = new Set(['all', 'ungrouped']);

/** Host variables that are connection settings, and the host field each fills. */
const connectionVars: Record<string, 'hostname' | 'port' | 'user'> = {
  ansible_host: 'hostname',
  ansible_ssh_host: 'hostname',
  ansible_port: 'port',
  ansible_ssh_port: 'port',
  ansible_user: 'user',
  ansible_ssh_user: 'user',
};

type AnsibleGroup = { hosts?: unknown; children?: unknown; vars?: unknown } | unknown[];

/** Whether a document is Ansible's `--list` JSON rather than Minke's own shape. */
export function looksLikeAnsible(data: unknown): data is Record<string, unknown> {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return false;
  if ('_meta' in data) return true;
  const values = Object.entries(data);
  if (values.length === 0 || 'hosts' in data || 'records' in data) return false;
  return values.every(([, value]) => Array.isArray(value) || isGroupObject(value));
}

function isGroupObject(value: unknown): boolean {
  return (
    typeof value === 'object' &&
    value !== null &&
    Object.keys(value).every((key) => ['hosts', 'children', 'vars'].includes(key))
  );
}

/**
 * Reads Ansible's dynamic inventory `--list` JSON: groups with `hosts` (or a plain list of
 * hosts) and `children`, and `_meta.hostvars`. A host is in its groups and in the parents of
 * those groups; `ansible_host`, `ansible_port` and `ansible_user` are its connection, other
 * host variables fill the source's model (left out without one). Group `vars` are not read.
 */
export function parseAnsibleList(
  data: Record<string, unknown>,
  model: string | null,
): InventoryListing {
  const groups = new Map<string, AnsibleGroup>();
  for (const [name, value] of Object.entries(data))
    if (name !== '_meta') groups.set(name, value as AnsibleGroup);
  const hostGroups = new Map<string, Set<string>>();
  const order: string[] = [];
  const addHost = (host: string, group: string | null) => {
    if (!hostGroups.has(host)) {
      hostGroups.set(host, new Set());
      order.push(host);
    }
    if (group !== null) hostGroups.get(host)?.add(group);
  };
  for (const [name, group] of groups)
    for (const host of membersOf(group, name))
      addHost(host, implicitGroups.has(name) ? null : name);
  const hostvars = hostvarsOf(data['_meta']);
  for (const host of Object.keys(hostvars)) addHost(host, null);
  const parents = parentsOf(groups);
  const listing: InventoryListing = { hosts: [], records: [] };
  for (const name of order) {
    const direct = [...(hostGroups.get(name) ?? [])];
    const all = new Set(direct.flatMap((group) => [group, ...ancestors(group, parents)]));
    const vars = hostvars[name] ?? {};
    const host: ListedHost = {
      name,
      hostname: null,
      port: null,
      user: null,
      groups: [...all].filter((group) => !implicitGroups.has(group)),
      at: `host ${name}`,
    };
    const fields: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(vars)) {
      const field = connectionVars[key];
      if (field === 'port') host.port = portOf(value, name);
      else if (field) host[field] = textOf(value, key, name);
      else if (!key.startsWith('ansible_')) fields[key] = value;
    }
    listing.hosts.push(host);
    if (model !== null && Object.keys(fields).length > 0)
      listing.records.push({ model, host: name, fields, at: `_meta.hostvars.${name}` });
  }
  return listing;
}

function membersOf(group: AnsibleGroup, name: string): string[] {
  const hosts = Array.isArray(group) ? group : (group.hosts ?? []);
  if (!Array.isArray(hosts) || !hosts.every((host) => typeof host === 'string'))
    throw new InputError(`group ${name}: hosts: expected a list of host names`);
  return hosts;
}

function textOf(value: unknown, key: string, host: string): string | null {
  if (value === null) return null;
  if (typeof value === 'string' || typeof value === 'number') return String(value);
  throw new InputError(`host ${host}: ${key}: expected text`);
}

function hostvarsOf(meta: unknown): Record<string, Record<string, unknown>> {
  if (meta === undefined) return {};
  if (typeof meta !== 'object' || meta === null)
    throw new InputError('_meta: expected a mapping with hostvars');
  const hostvars = 'hostvars' in meta ? meta.hostvars : {};
  if (typeof hostvars !== 'object' || hostvars === null || Array.isArray(hostvars))
    throw new InputError('_meta.hostvars: expected a mapping of host names to variables');
  return hostvars as Record<string, Record<string, unknown>>;
}

/** Each group's parents, from the groups' `children`. */
function parentsOf(groups: Map<string, AnsibleGroup>): Map<string, string[]> {
  const parents = new Map<string, string[]>();
  for (const [name, group] of groups) {
    const children = Array.isArray(group) ? [] : (group.children ?? []);
    if (!Array.isArray(children))
      throw new InputError(`group ${name}: children: expected a list of group names`);
    listsByKey(
      children as string[],
      (child) => child,
      () => name,
      parents,
    );
  }
  return parents;
}

/** A group's ancestors, each once, even when the children form a loop. */
function ancestors(group: string, parents: Map<string, string[]>): string[] {
  const seen = new Set<string>();
  const queue = [...(parents.get(group) ?? [])];
  while (queue.length > 0) {
    const next = queue.shift() as string;
    if (seen.has(next)) continue;
    seen.add(next);
    queue.push(...(parents.get(next) ?? []));
  }
  return [...seen];
}

function portOf(value: unknown, host: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 1 || port > 65535)
    throw new InputError(`host ${host}: ansible_port "${String(value)}" is not a port`);
  return port;
}
