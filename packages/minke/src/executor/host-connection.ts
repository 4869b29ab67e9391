import type { ResolvedConnectionConfig } from '../transport/config/connection-config.js';
import type { HostRecord } from '../hosts/host-store.js';
import { NotFoundError } from '../errors.js';
import { resolveConnectionConfig } from '../transport/config/resolve-connection.js';
import type { BookedHostKey, HostKeyBook } from '../transport/ssh/host-keys/host-key-book.js';
import type { CredentialReader } from '../transport/config/secret.js';
import { BatchLoader } from '../util/batch-loader.js';
import type { ConnectionResolver } from './executor-deps.js';
import { withRunTimeSecrets } from './run-time-secrets.js';

/** A group's connection config, as a host's layers take it. */
export interface GroupConfig {
  name: string;
  config: Record<string, unknown>;
}

/** What a host's connection is resolved from of its own row (its groups come separately). */
export type HostConnectionRow = Pick<HostRecord, 'id' | 'name'> & Record<string, unknown>;

/**
 * What a host's connection is resolved from: Minke's hosts and their groups' config, the project's
 * `ssh` setting, and where `{ credential }` references and host keys are read (at each use, so a
 * key or credential added later is found). Built where a process is wired (`src/runtime/`).
 */
export interface HostConnectionSources {
  hosts: {
    get(name: string): Promise<HostConnectionRow>;
    groupConfigs(hostId: number): Promise<GroupConfig[]>;
  };
  /**
   * The same reads for many hosts at once (rows by name; group configs by host id, in layering
   * order). When given, hosts that connect at about the same moment share one read of each kind
   * (see `BatchLoader`), and so do their trusted keys when the book can read many.
   */
  many?: {
    hosts(names: readonly string[]): Promise<ReadonlyMap<string, HostConnectionRow>>;
    groupConfigs(hostIds: readonly number[]): Promise<ReadonlyMap<number, GroupConfig[]>>;
  };
  /** The project's `ssh` setting: the first layer every host's connection gets. */
  projectConnection: unknown;
  credentials: () => CredentialReader;
  hostKeys: () => HostKeyBook;
}

/**
 * The executor's connection resolver: `resolveHostConnection` with the reads of hosts that start
 * together batched, when the sources can read many at once.
 */
export function hostConnectionResolver(sources: HostConnectionSources): ConnectionResolver {
  const batched = batchedSources(sources);
  return (hostName, sessionLayer, runTimeLayer) =>
    resolveHostConnection(batched, hostName, sessionLayer, runTimeLayer);
}

function batchedSources(sources: HostConnectionSources): HostConnectionSources {
  const many = sources.many;
  if (!many) return sources;
  const hosts = new BatchLoader((names: readonly string[]) => many.hosts(names));
  const groups = new BatchLoader((hostIds: readonly number[]) => many.groupConfigs(hostIds));
  // Each read asks the sources for a book anew, as a single connection's check does.
  const trusted = new BatchLoader(async (names: readonly string[]) => {
    const book = sources.hostKeys();
    return book.trustedMany ? book.trustedMany(names) : new Map<string, BookedHostKey[]>();
  });
  return {
    ...sources,
    hosts: {
      async get(name) {
        const host = await hosts.load(name);
        if (!host) throw new NotFoundError(`host ${name} does not exist`);
        return host;
      },
      groupConfigs: async (hostId) => (await groups.load(hostId)) ?? [],
    },
    hostKeys: () => {
      const book = sources.hostKeys();
      if (!book.trustedMany) return book;
      return { ...book, trusted: async (host) => (await trusted.load(host)) ?? [] };
    },
  };
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
