import type { Project } from '../project/open-project.js';
import type { ResolvedConnectionConfig } from '../transport/config/connection-config.js';
import { credentialReaderOf } from '../credentials/credential-reader.js';
import { resolveConnectionConfig } from '../transport/config/resolve-connection.js';
import type { HostKeyBook } from '../transport/ssh/host-keys/host-key-book.js';
import { HostKeyStore } from '../hosts/host-key-store.js';
import type { CredentialReader } from '../transport/config/secret.js';
import { withRunTimeSecrets } from './run-time-secrets.js';

/**
 * A host's connection config from its layers: the project's `ssh` setting, its groups, its own
 * fields and config, and the session class's `connection`.
 */
export async function resolveHostConnection(
  project: Project,
  hostName: string,
  sessionLayer: Readonly<Record<string, unknown>>,
  runTimeLayer?: Readonly<Record<string, unknown>>,
): Promise<ResolvedConnectionConfig> {
  const host = await project.hosts.get(hostName);
  const own: Record<string, unknown> = { ...(host['config'] as Record<string, unknown>) };
  if (host['hostname']) own['hostname'] = host['hostname'];
  if (host['port']) own['port'] = host['port'];
  if (host['user']) own['user'] = host['user'];
  // Run-time secrets (a form's sudo password) reach the transport through a reader in memory.
  const runTime = withRunTimeSecrets(runTimeLayer, credentialReaderOf(project));
  const config = await resolveConnectionConfig({
    name: host.name,
    project: project.config.ssh,
    groups: await project.hosts.groupConfigs(host.id),
    host: own,
    session: sessionLayer,
    runtime: runTime.layer,
  });
  const hostKeys = new HostKeyStore(project.database).book();
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
