import { readFile } from 'node:fs/promises';
import { homedir, userInfo } from 'node:os';
import SSHConfig from 'ssh-config';
import type { ConnectionConfigLayer } from './connection-config.js';
import { expandHome } from './expand-home.js';

/**
 * The part of an OpenSSH client config (`~/.ssh/config`) that Minke honours for one host alias,
 * as a connection config layer. `hostname` here is OpenSSH's HostName: the address the alias
 * stands for.
 *
 * Honoured: HostName, Port, User, IdentityFile, IdentitiesOnly, IdentityAgent, ProxyJump,
 * StrictHostKeyChecking, UserKnownHostsFile, ConnectTimeout, ServerAliveInterval,
 * ServerAliveCountMax, RequestTTY. `Match exec` is not evaluated (reading a config must never run
 * commands) and `Include` is not followed.
 *
 * @example
 *   await readSshConfigLayer('~/.ssh/config', 'web1')
 *   // => { hostname: '10.0.0.5', user: 'deploy', identityFiles: ['/home/minke/.ssh/deploy'] }
 */
export async function readSshConfigLayer(
  file: string,
  alias: string,
): Promise<ConnectionConfigLayer> {
  const text = await readOptionalFile(expandHome(file));
  if (text === undefined) return {};
  const computed = SSHConfig.parse(text).compute(alias, { ignoreCase: true, matchExec: false });
  return sshOptionsToLayer(computed, alias);
}

type Computed = Record<string, string | string[]>;

/** Maps computed OpenSSH options (lower-case names) to a layer; exported for unit tests. */
export function sshOptionsToLayer(options: Computed, alias: string): ConnectionConfigLayer {
  const value = (name: string): string | undefined => {
    const raw = options[name];
    return Array.isArray(raw) ? raw[0] : raw;
  };
  const hostname = value('hostname')?.replaceAll('%h', alias);
  const user = value('user');
  const port = toInt(value('port'));
  const tokens = { h: hostname ?? alias, p: String(port ?? 22), r: user ?? userInfo().username };
  const layer: ConnectionConfigLayer = {};
  if (hostname) layer.hostname = hostname;
  if (port !== undefined) layer.port = port;
  if (user) layer.user = user;
  const identityFiles = list(options['identityfile']).filter((f) => f.toLowerCase() !== 'none');
  if (identityFiles.length) layer.identityFiles = identityFiles.map((f) => expandTokens(f, tokens));
  const agent = agentOption(value('identityagent'), value('identitiesonly'), tokens);
  if (agent !== undefined) layer.agent = agent;
  const proxyJump = value('proxyjump');
  if (proxyJump) layer.proxyJump = proxyJump;
  const strict = strictOption(value('stricthostkeychecking'));
  if (strict) layer.strictHostKeyChecking = strict;
  // Several files arrive as a list (or, from older parsers, as one space-separated string).
  const knownHosts = list(options['userknownhostsfile']).flatMap((f) => f.split(/\s+/));
  if (knownHosts.length) {
    const files = knownHosts.filter((f) => f && f.toLowerCase() !== 'none');
    layer.knownHostsFiles = files.map((f) => expandTokens(f, tokens));
  }
  addSeconds(layer, 'connectTimeoutMs', value('connecttimeout'));
  addSeconds(layer, 'keepaliveIntervalMs', value('serveraliveinterval'));
  const countMax = toInt(value('serveralivecountmax'));
  if (countMax) layer.keepaliveCountMax = countMax;
  const tty = value('requesttty')?.toLowerCase();
  if (tty === 'yes' || tty === 'force') layer.pty = true;
  if (tty === 'no') layer.pty = false;
  return layer;
}

function list(raw: string | string[] | undefined): string[] {
  if (raw === undefined) return [];
  return Array.isArray(raw) ? raw : [raw];
}

function toInt(raw: string | undefined): number | undefined {
  if (raw === undefined || !/^\d+$/.test(raw)) return undefined;
  return Number(raw);
}

function addSeconds(
  layer: ConnectionConfigLayer,
  key: 'connectTimeoutMs' | 'keepaliveIntervalMs',
  raw: string | undefined,
): void {
  const seconds = toInt(raw);
  if (seconds !== undefined) layer[key] = seconds * 1000;
}

/** OpenSSH's `no`/`off` would also accept changed keys; Minke never does, so the closest safe
 * meaning is `accept-new`. `ask` has nobody to ask here and means `yes`. */
function strictOption(raw: string | undefined): 'yes' | 'accept-new' | undefined {
  switch (raw?.toLowerCase()) {
    case undefined:
      return undefined;
    case 'accept-new':
    case 'no':
    case 'off':
      return 'accept-new';
    default:
      return 'yes';
  }
}

function agentOption(
  identityAgent: string | undefined,
  identitiesOnly: string | undefined,
  tokens: Record<string, string>,
): string | boolean | undefined {
  if (identityAgent !== undefined) {
    if (identityAgent.toLowerCase() === 'none') return false;
    if (identityAgent === 'SSH_AUTH_SOCK') return true;
    const fromEnv = /^\$(\w+)$/.exec(identityAgent);
    if (fromEnv) return process.env[fromEnv[1] ?? ''] ?? false;
    return expandTokens(identityAgent, tokens);
  }
  // Without an explicit agent, IdentitiesOnly means: only the configured key files.
  return identitiesOnly?.toLowerCase() === 'yes' ? false : undefined;
}

/** The OpenSSH `%` tokens that make sense before connecting, and `~`. */
function expandTokens(path: string, tokens: Record<string, string>): string {
  const expanded = path.replace(/%([%hprud])/g, (_match, token: string) => {
    if (token === '%') return '%';
    if (token === 'u') return userInfo().username;
    if (token === 'd') return homedir();
    return tokens[token] ?? '';
  });
  return expandHome(expanded);
}

async function readOptionalFile(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}
