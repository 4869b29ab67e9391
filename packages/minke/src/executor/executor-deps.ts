import type { Field } from '../model/fields.js';
import type { RecordValues } from '../model/record-codec.js';
import type { Project } from '../project/open-project.js';
import type { RunJournal } from '../runs/run-journal.js';
import type { ResolvedConnectionConfig } from '../transport/connection-config.js';
import { resolveHostConnection } from './host-connection.js';

/** The objects sessions work on: read one, save changed fields, know a model's fields. */
export interface SessionObjects {
  get(model: string, id: number): Promise<RecordValues>;
  update(model: string, id: number, values: Record<string, unknown>): Promise<RecordValues>;
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

/** The narrow dependencies, taken from a loaded project. */
export function sessionRunDepsOf(project: Project, journal: RunJournal): SessionRunDeps {
  return {
    journal,
    objects: {
      get: (model, id) => project.records.get(model, id),
      update: (model, id, values) => project.records.update(model, id, values),
      fieldsOf: (model) => project.models.get(model).fields,
    },
    connections: (hostName, sessionLayer, runTimeLayer) =>
      resolveHostConnection(project, hostName, sessionLayer, runTimeLayer),
    debug: project.config.debug,
  };
}
