import type { Project } from '../project/open-project.js';
import type { ResolvedConnectionConfig } from '../transport/connection-config.js';
import { credentialReaderOf } from '../credentials/credential-reader.js';
import { resolveConnectionConfig } from '../transport/resolve-connection.js';
import type { CredentialReader } from '../transport/secret.js';

/**
 * A host's connection config from its layers: the project's `ssh` setting, its groups, its own
 * fields and config, and the session class's `connection`.
 */
export async function resolveHostConnection(
  project: Project,
  hostName: string,
  sessionLayer: Readonly<Record<string, unknown>>,
): Promise<ResolvedConnectionConfig> {
  const host = await project.hosts.get(hostName);
  const own: Record<string, unknown> = { ...(host['config'] as Record<string, unknown>) };
  if (host['hostname']) own['hostname'] = host['hostname'];
  if (host['port']) own['port'] = host['port'];
  if (host['user']) own['user'] = host['user'];
  const config = await resolveConnectionConfig({
    name: host.name,
    project: project.config.ssh,
    groups: await project.hosts.groupConfigs(host.id),
    host: own,
    session: sessionLayer,
  });
  return withCredentials(config, credentialReaderOf(project));
}

/** Every hop of the chain reads `{ credential }` references from the project's store, at use. */
function withCredentials(
  config: ResolvedConnectionConfig,
  credentials: CredentialReader,
): ResolvedConnectionConfig {
  const proxyJump = config.proxyJump && withCredentials(config.proxyJump, credentials);
  return { ...config, ...(proxyJump ? { proxyJump } : {}), credentials };
}
