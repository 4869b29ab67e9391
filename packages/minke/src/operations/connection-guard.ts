import { may } from '../auth/access.js';
import {
  checkCredentialChange,
  checkDeliveredCredentials,
  checkJoinedGroupCredentials,
} from '../credentials/credential-guard.js';
import { PermissionDenied } from '../errors.js';
import type { RunUser } from '../auth/run-user.js';

/**
 * The permission for connection settings that name something on the Minke server itself: a
 * secret read from one of its files or environment variables, its private keys, its ssh_config
 * and known_hosts files, its SSH agent, or running commands on it (`transport: local`). Holding
 * `add_host` or `change_host` is not enough for those: anyone who may point a host at an SSH
 * server they control would otherwise receive the server's files as a password.
 */
export const MANAGE_CONNECTIONS = 'manage_connections';

export const manageConnectionsPermission = {
  codename: MANAGE_CONNECTIONS,
  name: "Can manage connection settings that use the Minke server's files, secrets, agent or shell",
};

/**
 * Who changes a connection config. `undefined` is the machine's operator (the CLI, fixtures, the
 * project's own minke.config.ts): they already hold the server, so nothing is refused to them.
 */
export type ConnectionActor = RunUser | undefined;

export function mayManageConnections(actor: ConnectionActor): boolean {
  return actor === undefined || may(actor, MANAGE_CONNECTIONS);
}

/** Secrets that are sent to the host the config connects to (a passphrase stays on the server). */
const deliveredSecrets = ['password.', 'sudo.password.'];

/**
 * The settings of one config layer that use a server resource, by field path (`password.file`,
 * `proxyJump.identityFiles`), each with the values it names. Settings that only take something
 * away (`agent: false`, `sshConfigFile: false`, `transport: ssh`) are not listed.
 *
 * @example
 *   serverResources({ password: { file: '/etc/minke/key' }, port: 22 })
 *   // => Map { 'password.file' => ['/etc/minke/key'] }
 */
export function serverResources(layer: unknown, prefix = ''): Map<string, string[]> {
  const out = new Map<string, string[]>();
  if (!isMapping(layer)) return out;
  const put = (path: string, values: unknown[]) =>
    out.set(
      prefix + path,
      values.map((v) => JSON.stringify(v)),
    );
  for (const key of ['password', 'passphrase'] as const) secretRef(layer[key], key, put);
  if (isMapping(layer['sudo'])) secretRef(layer['sudo']['password'], 'sudo.password', put);
  for (const key of ['identityFiles', 'knownHostsFiles'] as const) {
    const value = layer[key];
    if (value !== undefined) put(key, Array.isArray(value) ? value : [value]);
  }
  if (typeof layer['sshConfigFile'] === 'string') put('sshConfigFile', [layer['sshConfigFile']]);
  // `true` is the agent of the user Minke runs as: a resource of the server as much as a socket path.
  if (layer['agent'] !== undefined && layer['agent'] !== false) put('agent', [layer['agent']]);
  if (layer['transport'] === 'local') put('transport', ['local']);
  // accept-new trusts a host's first key without anyone looking at it.
  if (layer['strictHostKeyChecking'] === 'accept-new') put('strictHostKeyChecking', ['accept-new']);
  for (const [path, values] of serverResources(layer['proxyJump'], 'proxyJump.'))
    out.set(prefix + path, values);
  return out;
}

/**
 * The server-resource settings of `after` that `before` did not have with the same value: what a
 * change adds. A list (identityFiles) adds only the entries it did not have, so removing one is
 * never refused.
 */
export function addedServerResources(before: unknown, after: unknown): string[] {
  const had = serverResources(before);
  const added: string[] = [];
  for (const [path, values] of serverResources(after)) {
    const old = new Set(had.get(path) ?? []);
    if (values.some((value) => !old.has(value))) added.push(path);
  }
  return added;
}

/** The secrets of a layer that travel to the host it connects to (`password.file`, ...). */
export function deliveredSecretFields(layer: unknown): string[] {
  return [...serverResources(layer).keys()].filter((path) =>
    deliveredSecrets.some((prefix) => path.startsWith(prefix)),
  );
}

/**
 * Refuses a connection config change that adds or changes a server-resource setting, naming the
 * first one; removals and other settings pass. `what` says whose config it is (`host`, `group`).
 */
export function checkConfigChange(
  actor: ConnectionActor,
  what: 'host' | 'group',
  before: unknown,
  after: unknown,
): void {
  if (mayManageConnections(actor)) return;
  // manage_connections reads the server's files (the secret key among them): it may use any.
  checkCredentialChange(actor, before, after);
  const [field] = addedServerResources(before, after);
  if (field !== undefined) throw needsPermission(`${what} config field ${field}`);
}

/** What decides where a host's connection goes and what it carries, as stored. */
export interface HostConnectionState {
  name: string;
  /** The Host record's own columns, which override its config (as at connect time). */
  hostname: unknown;
  port: unknown;
  config: unknown;
  /** Its groups, by id so that a renamed group is still the same group. */
  groups: readonly { id: number; name: string; config: unknown }[];
}

/**
 * Refuses, for an actor without manage_connections, a host change (or a new host, `before`
 * undefined) that
 * - adds or changes a server-resource setting in the host's own config;
 * - makes the host join a group whose config has one (the group's settings would apply to it);
 * - points a host that receives a password or sudo password from its project, groups or own
 *   config at another destination (address, port or jump host): the secret is meant for the
 *   host it was written for, not for whatever the host is made to name.
 * Other changes pass, so a user may still edit the comment of a host that has a secret file.
 */
export function checkHostChange(
  actor: ConnectionActor,
  projectLayer: unknown,
  before: HostConnectionState | undefined,
  after: HostConnectionState,
): void {
  if (mayManageConnections(actor)) return;
  checkConfigChange(actor, 'host', before?.config, after.config);
  const had = new Set(before?.groups.map((group) => group.id) ?? []);
  checkJoinedGroupCredentials(
    actor,
    after.groups.filter((group) => !had.has(group.id)),
  );
  for (const group of after.groups) {
    if (had.has(group.id)) continue;
    const [field] = serverResources(group.config).keys();
    if (field !== undefined)
      throw needsPermission(
        `joining host group ${group.name} (its config sets ${field})`,
        'groups',
      );
  }
  if (before !== undefined && destinationOf(before) === destinationOf(after)) return;
  checkDeliveredCredentials(
    actor,
    [projectLayer, ...after.groups.map((group) => group.config), after.config],
    before?.name,
  );
  const layers: [string, unknown][] = [
    ['the project config', projectLayer],
    ...after.groups.map((group): [string, unknown] => [`group ${group.name}`, group.config]),
    ['its own config', after.config],
  ];
  for (const [where, layer] of layers) {
    const [secret] = deliveredSecretFields(layer);
    if (secret === undefined) continue;
    throw needsPermission(
      before === undefined
        ? `adding a host that receives ${secret} from ${where}`
        : `changing where host ${before.name} connects (it receives ${secret} from ${where})`,
      before === undefined ? 'name' : 'hostname',
    );
  }
}

/**
 * Where a host connects: its address (the name when nothing else is set), port and jump host,
 * taken as the connection resolver does: groups by name, then the host's config, then its
 * columns.
 */
function destinationOf(state: HostConnectionState): string {
  const groups = [...state.groups].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const pick = (key: 'hostname' | 'port' | 'proxyJump'): unknown => {
    let value: unknown;
    for (const layer of [...groups.map((group) => group.config), state.config]) {
      if (isMapping(layer) && layer[key] !== undefined) value = layer[key];
    }
    return value;
  };
  return JSON.stringify([
    isPresent(state.hostname) ? state.hostname : (pick('hostname') ?? state.name),
    isPresent(state.port) ? state.port : (pick('port') ?? null),
    pick('proxyJump') ?? null,
  ]);
}

/** A 403 naming what needs the permission; `field` is the input field at fault. */
export function needsPermission(subject: string, field = 'config'): PermissionDenied {
  return new PermissionDenied(`${subject} needs the ${MANAGE_CONNECTIONS} permission`, {
    fields: { [field]: `needs the ${MANAGE_CONNECTIONS} permission` },
  });
}

function isPresent(value: unknown): boolean {
  return value !== undefined && value !== null && value !== '' && value !== 0;
}

function secretRef(
  value: unknown,
  path: string,
  put: (path: string, values: unknown[]) => void,
): void {
  if (!isMapping(value)) return;
  // Only references to the server's own environment and files; other kinds of secret (a future
  // credential store) carry their own permission.
  for (const kind of ['file', 'env'] as const) {
    if (value[kind] !== undefined) put(`${path}.${kind}`, [value[kind]]);
  }
}

function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
