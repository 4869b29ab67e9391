// A middle row for the fan-out benchmark: Minke's SSH transport alone (known_hosts check, key
// auth, the command wrapper that announces the process group, close), without the executor,
// the database or the events. Bare → transport → Minke splits Minke's cost into its layers.
import {
  builtinConnectionDefaults,
  type ResolvedConnectionConfig,
} from '../src/transport/config/connection-config.js';
import { SshTransport } from '../src/transport/ssh/ssh-transport.js';
import { forEachLimited, type BareOutcome, type FanoutTarget } from './fanout-bare.js';

export interface TransportOptions {
  user: string;
  identityFile: string;
  knownHostsFile: string;
  concurrency: number;
  command: string;
  connectTimeoutMs: number;
  commandTimeoutMs: number;
}

export async function runTransport(
  targets: FanoutTarget[],
  options: TransportOptions,
): Promise<BareOutcome> {
  const failures: BareOutcome['failures'] = [];
  await forEachLimited(targets, options.concurrency, async (target) => {
    const transport = new SshTransport(configFor(target, options));
    try {
      const result = await transport.exec(options.command);
      if (result.exitCode !== 0)
        failures.push({ target: target.name, message: `exit code ${String(result.exitCode)}` });
    } catch (error) {
      failures.push({ target: target.name, message: (error as Error).message });
    } finally {
      await transport.close();
    }
  });
  return { failures };
}

/** What resolving the host record gives on the Minke side, written out (no resolution cost). */
function configFor(target: FanoutTarget, options: TransportOptions): ResolvedConnectionConfig {
  const { sshConfigFile: _notRead, ...defaults } = builtinConnectionDefaults;
  return {
    ...defaults,
    hostname: target.host,
    port: target.port,
    user: options.user,
    identityFiles: [options.identityFile],
    agent: false,
    knownHostsFiles: [options.knownHostsFile],
    connectTimeoutMs: options.connectTimeoutMs,
    commandTimeoutMs: options.commandTimeoutMs,
    env: {},
    sudo: {},
  };
}
