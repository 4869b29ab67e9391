import { credentialReaderOf } from '../credentials/credential-reader.js';
import { secretKeySource } from '../credentials/secret-key.js';
import type { EventBus } from '../events/event-bus.js';
import type { ExecutorDeps } from '../executor/executor-deps.js';
import { hostConnectionResolver, type HostConnectionSources } from '../executor/host-connection.js';
import { HostStore } from '../hosts/host-store.js';
import { HostKeyStore } from '../hosts/host-key-store.js';
import type { Logger } from '../logger.js';
import type { Project } from '../operations/project.js';
import { writeFromSession } from '../operations/session-writes.js';
import type { RunStore } from '../runs/run-store.js';

/**
 * The executors' dependencies, taken from a loaded project: the one place where the executor side
 * of a process sees the project (the in-process runtime, the BullMQ scale-out).
 */
export function executorDepsOf(
  project: Project,
  parts: { runs: RunStore; bus: EventBus; logger: Logger },
): ExecutorDeps {
  const hostRows = new HostStore(project.database, project.records);
  const connectionSources: HostConnectionSources = {
    hosts: project.hosts,
    // Hosts that connect together read their rows, groups and keys together.
    many: {
      hosts: (names) => hostRows.hostsByName(names),
      groupConfigs: (hostIds) => hostRows.groupConfigsOf(hostIds),
    },
    projectConnection: project.config.ssh,
    credentials: () => credentialReaderOf(project),
    hostKeys: () => new HostKeyStore(project.database).book(),
  };
  return {
    ...parts,
    database: project.database,
    sessions: project.sessions.sessions,
    secretKey: () => secretKeySource(project.config.projectDir),
    objects: {
      get: (model, id) => project.records.get(model, id),
      getMany: async (model, ids) => {
        const page = await project.records.list(model, {
          filter: { path: ['id'], op: 'in', values: [...ids] },
          limit: ids.length,
        });
        return new Map(page.items.map((record) => [record.id, record]));
      },
      update: (model, id, values, writer) => writeFromSession(project, model, id, values, writer),
      fieldsOf: (model) => project.models.get(model).fields,
    },
    connections: hostConnectionResolver(connectionSources),
    debug: project.config.debug,
  };
}
