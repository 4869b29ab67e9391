import SSHConfig from 'ssh-config';
import { InputError, isMinkeError } from '../errors.js';
import { checkHostName } from './host-names.js';
import type { HostInput } from './hosts.js';

export interface ImportCandidate {
  input?: HostInput;
  /** The alias as written in the file. */
  alias: string;
  /** Why it was skipped, when it was. */
  skipped?: string;
}

/** OpenSSH options kept in a host's connection config on import (beyond name, port, user). */
const carriedOptions: Record<string, string> = {
  identityfile: 'identityFiles',
  proxyjump: 'proxyJump',
  stricthostkeychecking: 'strictHostKeyChecking',
  userknownhostsfile: 'knownHostsFiles',
  connecttimeout: 'connectTimeoutMs',
  serveraliveinterval: 'keepaliveIntervalMs',
};

/**
 * Turns an OpenSSH client config into host inputs: one per concrete `Host` name (patterns with
 * `*`, `?` or `!` and `Match` blocks are skipped), with the options that apply to it computed the
 * way ssh does (first value wins, `Host *` defaults included).
 */
export function hostsFromSshConfig(text: string): ImportCandidate[] {
  let config: SSHConfig;
  try {
    config = SSHConfig.parse(text);
  } catch (error) {
    throw new InputError(`the OpenSSH config does not parse: ${(error as Error).message}`);
  }
  const aliases: string[] = [];
  for (const line of config) {
    if (!('param' in line) || line.param.toLowerCase() !== 'host') continue;
    const values = Array.isArray(line.value)
      ? line.value.map((v) => v.val)
      : String(line.value).split(/\s+/);
    for (const alias of values) {
      if (alias !== '' && !/[*?!]/.test(alias) && !aliases.includes(alias)) aliases.push(alias);
    }
  }
  return aliases.map((alias) => candidateFor(config, alias));
}

function candidateFor(config: SSHConfig, alias: string): ImportCandidate {
  let name: string;
  try {
    name = checkHostName(alias);
  } catch (error) {
    return { alias, skipped: isMinkeError(error) ? error.message : String(error) };
  }
  const computed = config.compute(alias);
  const option = (key: string): string | string[] | undefined => {
    const found = Object.keys(computed).find((k) => k.toLowerCase() === key);
    return found === undefined ? undefined : computed[found];
  };
  const first = (key: string): string | undefined => {
    const value = option(key);
    return Array.isArray(value) ? value[0] : value;
  };
  const hostname = first('hostname');
  const portText = first('port');
  const port = portText === undefined ? undefined : Number(portText);
  if (port !== undefined && (!Number.isInteger(port) || port < 1 || port > 65535)) {
    return { alias, skipped: `invalid Port "${portText}"` };
  }
  const extra: Record<string, unknown> = {};
  for (const [sshKey, configKey] of Object.entries(carriedOptions)) {
    const value = option(sshKey);
    if (value === undefined) continue;
    if (sshKey === 'identityfile') extra[configKey] = Array.isArray(value) ? value : [value];
    else if (sshKey === 'userknownhostsfile') extra[configKey] = String(value).split(/\s+/);
    else if (sshKey === 'connecttimeout' || sshKey === 'serveraliveinterval') {
      extra[configKey] = Number(value) * 1000;
    } else if (sshKey === 'stricthostkeychecking') {
      // Minke never skips the check: "no" becomes "accept-new", "ask" becomes "yes".
      const mode = String(value).toLowerCase();
      extra[configKey] =
        mode === 'no' || mode === 'accept-new' || mode === 'off' ? 'accept-new' : 'yes';
    } else extra[configKey] = Array.isArray(value) ? value[0] : value;
  }
  return {
    alias,
    input: {
      name,
      hostname: hostname ?? alias,
      port: port ?? null,
      user: first('user') ?? null,
      config: extra,
      comment: 'imported from an OpenSSH config',
    },
  };
}
