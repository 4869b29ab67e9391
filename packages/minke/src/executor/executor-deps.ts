import type { SecretKeySource } from '../credentials/secret-key.js';
import { BatchLoader } from '../util/batch-loader.js';
import type { EventBus } from '../events/event-bus.js';
import type { Logger } from '../logger.js';
import type { Field } from '../model/fields.js';
import type { RecordValues } from '../model/record-codec.js';
import type { RunJournal } from '../runs/run-journal.js';
import type { RunStore } from '../runs/run-store.js';
import type { SessionInfo } from '../session/session-registry.js';
import type { Database } from '../store/database.js';
import type { ResolvedConnectionConfig } from '../transport/config/connection-config.js';

/** The objects sessions work on: read one, save changed fields, know a model's fields. */
export interface SessionObjects {
  get(model: string, id: number): Promise<RecordValues>;
  /** Many of one model at once (ids not found left out): sessions that start together share a
   * read (see `BatchLoader`). Optional: without it each session reads its own. */
  getMany?(model: string, ids: readonly number[]): Promise<ReadonlyMap<number, RecordValues>>;
  /** A session's write: `writer` names it (and its run) in the audit row of a change. */
  update(
    model: string,
    id: number,
    values: Record<string, unknown>,
    writer: { session: string; runId: number },
  ): Promise<RecordValues>;
  fieldsOf(model: string): Readonly<Record<string, Field>>;
}

/** A host's connection config from its layers, the session's and the run's last. */
export type ConnectionResolver = (
  hostName: string,
  sessionLayer: Readonly<Record<string, unknown>>,
  runTimeLayer?: Readonly<Record<string, unknown>>,
) => Promise<ResolvedConnectionConfig>;

/**
 * What running a session needs of the rest of Minke, and nothing more: the executors' code
 * below the constructor sees this, not the whole `Project`.
 */
export interface SessionRunDeps {
  journal: RunJournal;
  objects: SessionObjects;
  connections: ConnectionResolver;
  /** Tracebacks of session bugs go into the session's messages, not only the log. */
  debug: boolean;
}

/**
 * What an executor (and a worker) uses of the rest of Minke: Minke's tables (leases, owners,
 * stop counters), the run store and bus its journal writes to, the session classes by name,
 * the objects and connections sessions need, and the key that seals run-time values. Built
 * from a project by `executorDepsOf` (`src/runtime/`), where a process is wired; the executors
 * never see the project itself.
 */
export interface ExecutorDeps extends Omit<SessionRunDeps, 'journal'> {
  database: Database;
  runs: RunStore;
  bus: EventBus;
  logger: Logger;
  sessions: ReadonlyMap<string, SessionInfo>;
  /** Where the project's secret key is (read at each use, so a key made later is found). */
  secretKey: () => SecretKeySource;
}

/** A session's run-time dependencies: the executor's, with the journal it writes through. */
export function sessionRunDepsOf(deps: ExecutorDeps, journal: RunJournal): SessionRunDeps {
  const { connections, debug } = deps;
  return { journal, objects: batchedObjects(deps.objects), connections, debug };
}

/** `get` through one read per model for the sessions that start together, when `getMany` is
 * there; an object not found is asked for alone, so that the error is the store's own. */
function batchedObjects(objects: SessionObjects): SessionObjects {
  const readMany = objects.getMany?.bind(objects);
  if (!readMany) return objects;
  const loaders = new Map<string, BatchLoader<number, RecordValues>>();
  return {
    ...objects,
    get: async (model, id) => {
      let loader = loaders.get(model);
      if (!loader) {
        loader = new BatchLoader((ids) => readMany(model, ids));
        loaders.set(model, loader);
      }
      return (await loader.load(id)) ?? objects.get(model, id);
    },
  };
}
