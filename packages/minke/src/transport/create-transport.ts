import type { ResolvedConnectionConfig } from './config/connection-config.js';
import type { ConnectionPool } from './connection-pool.js';
import { LocalTransport } from './local/local-transport.js';
import { SshTransport, type SshTransportOptions } from './ssh/ssh-transport.js';
import type { Transport } from './transport.js';

/**
 * The transport a resolved config asks for: `ssh` (the default) or `local`.
 *
 * @example
 *   const transport = createTransport(await resolveConnectionConfig({ name: 'web1' }));
 */
export function createTransport(
  config: ResolvedConnectionConfig,
  options: SshTransportOptions = {},
): Transport {
  if (config.transport === 'local') {
    return new LocalTransport({
      env: config.env,
      sudo: { ...config.sudo, credentials: config.credentials },
      ...(config.commandTimeoutMs ? { commandTimeoutMs: config.commandTimeoutMs } : {}),
    });
  }
  return new SshTransport(config, options);
}

/**
 * A session's handle on the pooled connection to a host, created from its config on first use
 * with the config's channel cap and idle timeout.
 *
 * @example
 *   const c = pooledTransport(pool, host.name, await resolveConnectionConfig(layers), { logger });
 */
export function pooledTransport(
  pool: ConnectionPool,
  key: string,
  config: ResolvedConnectionConfig,
  options: SshTransportOptions = {},
): Transport {
  return pool.transportFor(key, () => createTransport(config, options), {
    maxChannels: config.maxChannels,
    idleTimeoutMs: config.idleTimeoutMs,
  });
}
