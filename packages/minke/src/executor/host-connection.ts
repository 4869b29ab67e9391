import type { ResolvedConnectionConfig } from '../transport/config/connection-config.js';
import type { HostRecord } from '../hosts/host-store.js';
import { resolveConnectionConfig } from '../transport/config/resolve-connection.js';
import type { HostKeyBook } from '../transport/ssh/host-keys/host-key-book.js';
import type { CredentialReader } from '../transport/config/secret.js';
import { withRunTimeSecrets } from './run-time-secrets.js';

/**
 * What a host's connection is resolved from: Minke's hosts and their groups' config, the project's
 * `ssh` setting, and where `{ credential }` references and host keys are read (at each use, so a
 * key or credential added later is found). Built where a process is wired (`src/runtime/`).
 */
export interface HostConnectionSources {
  hosts: {
    get(name: string): Promise<HostRecord>;
    groupConfigs(hostId: number): Promise<{ name: string; config: Record<string, unknown> }[]>;
  };
  /** The project's `ssh` setting: the first layer every host's connection gets. */
  projectConnection: unknown;
  credentials: () => CredentialReader;
  hostKeys: () => HostKeyBook;
}

/**
 * A host's connection config from its layers: the project's `ssh` setting, its groups, its own
 * fields and config, and the session class's `connection`.
 */
export async function resolveHostConnection(
  sources: HostConnectionSources,
  hostName: string,
  sessionLayer: Readonly<Record<string, unknown>>,
  runTimeLayer?: Readonly<Record<string, unknown>>,
): Promise<ResolvedConnectionConfig> {
  const host = await sources.hosts.get(hostName);
  const own: Record<string, unknown> = { ...(host['config'] as Record<string, unknown>) };
  if (host['hostname']) own['hostname'] = host['hostname'];
  if (host['port']) own['port'] = host['port'];
  if (host['user']) own['user'] = host['user'];
  // Run-time secrets (a form's sudo password) reach the transport through a reader in memory.
  const runTime = withRunTimeSecrets(runTimeLayer, sources.credentials());
  const config = await resolveConnectionConfig({
    name: host.name,
    project: sources.projectConnection,
    groups: await sources.hosts.groupConfigs(host.id),
    host: own,
    session: sessionLayer,
    runtime: runTime.layer,
  });
  const hostKeys = sources.hostKeys();
  return {
    ...withStores(config, runTime.reader, hostKeys),
    // The host's keys are filed under its Minke name; its jump hosts under their addresses.
    hostKeyName: host.name,
  };
}

/** Every hop of the chain reads `{ credential }` references from the project's store, at use,
 * and checks host keys against the fleet's (the database's). */
function withStores(
  config: ResolvedConnectionConfig,
  credentials: CredentialReader,
  hostKeys: HostKeyBook,
): ResolvedConnectionConfig {
  const proxyJump = config.proxyJump && withStores(config.proxyJump, credentials, hostKeys);
  return { ...config, ...(proxyJump ? { proxyJump } : {}), credentials, hostKeys };
}
