import { userInfo } from 'node:os';
import {
  type ConnectionConfigLayer,
  type ResolvedConnectionConfig,
  builtinConnectionDefaults,
} from './connection-config.js';
import { mergeConnectionConfig, parseConnectionConfigLayer } from './merge-config.js';
import { parseJumpSpec } from './jump-spec.js';
import { readSshConfigLayer } from './ssh-config-file.js';
import { TransportError } from '../transport-error.js';

/**
 * The layers of one host's connection config, each as written by its owner. Groups are applied
 * sorted by name so that two groups setting the same key give the same result on every run.
 */
export interface ConnectionLayers {
  /** The host's name: the alias to connect to when no layer sets `hostname`. */
  name: string;
  project?: unknown;
  groups?: ReadonlyArray<{ name: string; config: unknown }>;
  host?: unknown;
  session?: unknown;
  runtime?: unknown;
}

export interface ResolveOptions {
  /** Reads the ssh_config layer; tests and callers without files may replace it. */
  readSshConfig?: (file: string, alias: string) => Promise<ConnectionConfigLayer>;
}

/** ProxyJump chains longer than this are a loop in the ssh config, not a network. */
const maxJumpDepth = 8;

/** Settings a jump host takes from the host it leads to: how to authenticate and how careful to
 * be. Its address, user, password and jump come from its own spec and its own ssh_config. */
const inheritedByJumpHost = [
  'key',
  'identityFiles',
  'agent',
  'passphrase',
  'strictHostKeyChecking',
  'knownHostsFiles',
  'connectTimeoutMs',
  'keepaliveIntervalMs',
  'keepaliveCountMax',
  'sshConfigFile',
] as const satisfies ReadonlyArray<keyof ConnectionConfigLayer>;

/**
 * Validates and merges a host's layers in Minke's order, built-in defaults < ssh_config < project
 * < host groups (by name) < host < session class < run-time values, and completes the result.
 * The ssh_config layer is read for the alias the other layers name; its HostName translates that
 * alias into an address (it never competes with an explicit `hostname`, which *is* the alias).
 *
 * @example
 *   const config = await resolveConnectionConfig({
 *     name: 'web1', groups: [{ name: 'dmz', config: { proxyJump: 'bastion' } }],
 *     host: { user: 'deploy' },
 *   });
 */
export async function resolveConnectionConfig(
  layers: ConnectionLayers,
  options: ResolveOptions = {},
): Promise<ResolvedConnectionConfig> {
  const label = (part: string) => `${part} of ${layers.name}`;
  const groups = [...(layers.groups ?? [])].sort((a, b) =>
    a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
  );
  const above = mergeConnectionConfig(
    parseConnectionConfigLayer(layers.project, label('project config')),
    ...groups.map((group) =>
      parseConnectionConfigLayer(group.config, label(`group ${group.name}`)),
    ),
    parseConnectionConfigLayer(layers.host, label('host config')),
    parseConnectionConfigLayer(layers.session, label('session config')),
    parseConnectionConfigLayer(layers.runtime, label('run-time config')),
  );
  return resolveMerged(layers.name, above, options, 0);
}

async function resolveMerged(
  name: string,
  above: ConnectionConfigLayer,
  options: ResolveOptions,
  depth: number,
): Promise<ResolvedConnectionConfig> {
  const alias = above.hostname ?? name;
  const sshConfigFile = above.sshConfigFile ?? builtinConnectionDefaults.sshConfigFile;
  const { hostname: address, ...fromSshConfig } = await readSshLayer(sshConfigFile, alias, options);
  const merged = mergeConnectionConfig(builtinConnectionDefaults, fromSshConfig, above);
  const resolved = complete(merged, address ?? alias, above);
  const jump = merged.proxyJump;
  if (jump !== undefined && jump !== 'none') {
    if (depth >= maxJumpDepth) throw new TransportError('config', name, 'ProxyJump chain loops');
    resolved.proxyJump = await resolveJump(jump, above, options, depth + 1);
  }
  return resolved;
}

/**
 * A chain `a,b` means: reach b through a, then the host through b. `target` holds the settings
 * the host's own layers made explicitly (not defaults, not its ssh_config), so that the jump
 * host's ssh_config still applies where Minke's config says nothing.
 */
async function resolveJump(
  jump: string | ConnectionConfigLayer,
  target: ConnectionConfigLayer,
  options: ResolveOptions,
  depth: number,
): Promise<ResolvedConnectionConfig> {
  const inherited: ConnectionConfigLayer = {};
  for (const key of inheritedByJumpHost) Object.assign(inherited, { [key]: target[key] });
  if (typeof jump !== 'string') {
    const name = jump.hostname ?? 'jump host';
    return resolveMerged(name, mergeConnectionConfig(inherited, jump), options, depth);
  }
  const hops = jump.split(',').map((hop) => hop.trim());
  const last = hops.pop();
  if (!last) throw new TransportError('config', jump, 'empty ProxyJump');
  const spec = parseJumpSpec(last);
  const layer = mergeConnectionConfig(
    inherited,
    spec,
    hops.length ? { proxyJump: hops.join(',') } : {},
  );
  return resolveMerged(spec.hostname, layer, options, depth);
}

function complete(
  merged: ConnectionConfigLayer,
  hostname: string,
  named: ConnectionConfigLayer,
): ResolvedConnectionConfig {
  const defaults = builtinConnectionDefaults;
  const resolved: ResolvedConnectionConfig = {
    transport: merged.transport ?? defaults.transport,
    hostname,
    port: merged.port ?? defaults.port,
    user: merged.user ?? userInfo().username,
    identityFiles: merged.identityFiles ?? [...defaults.identityFiles],
    agent: agentSocket(merged.agent ?? defaults.agent),
    strictHostKeyChecking: merged.strictHostKeyChecking ?? defaults.strictHostKeyChecking,
    knownHostsFiles: merged.knownHostsFiles ?? [...defaults.knownHostsFiles],
    connectTimeoutMs: merged.connectTimeoutMs ?? defaults.connectTimeoutMs,
    commandTimeoutMs: merged.commandTimeoutMs ?? defaults.commandTimeoutMs,
    keepaliveIntervalMs: merged.keepaliveIntervalMs ?? defaults.keepaliveIntervalMs,
    keepaliveCountMax: merged.keepaliveCountMax ?? defaults.keepaliveCountMax,
    pty: merged.pty ?? defaults.pty,
    env: merged.env ?? {},
    sudo: merged.sudo ?? {},
    maxChannels: merged.maxChannels ?? defaults.maxChannels,
    idleTimeoutMs: merged.idleTimeoutMs ?? defaults.idleTimeoutMs,
  };
  if (merged.key) resolved.key = merged.key;
  if (named.knownHostsFiles !== undefined) resolved.knownHostsFilesNamed = true;
  if (merged.password) resolved.password = merged.password;
  if (merged.passphrase) resolved.passphrase = merged.passphrase;
  return resolved;
}

function agentSocket(agent: string | boolean): string | false {
  if (agent === false) return false;
  if (agent === true) return process.env['SSH_AUTH_SOCK'] || false;
  return agent;
}

async function readSshLayer(
  file: string | false,
  alias: string,
  options: ResolveOptions,
): Promise<ConnectionConfigLayer> {
  if (file === false) return {};
  const read = options.readSshConfig ?? readSshConfigLayer;
  try {
    return parseConnectionConfigLayer(await read(file, alias), `ssh config ${file}`);
  } catch (error) {
    if (error instanceof TransportError) throw error;
    throw new TransportError('config', alias, `cannot read ssh config ${file}`, error);
  }
}
