import type { RecordValues } from '../model/record-codec.js';
import type { OutputSpill } from '../transport/exec/output-cut.js';
import type { CommandResult, Transport } from '../transport/transport.js';
import type { SessionMessage } from './messages.js';

/** The part of a transport a session uses: commands and file transfers. */
export type HostTransport = Pick<Transport, 'exec' | 'put' | 'get'>;

/** Where a session's commands and messages go as they happen (the store, the event bus). */
export interface SessionRecorder {
  command(result: CommandResult): Promise<void>;
  message(message: SessionMessage): Promise<void>;
  /** A command is about to run, for live views. */
  commandStarted?(command: string): void;
  /** Output as it arrives, for live views; `skipped` characters before this chunk were left out
   * to keep live views bounded (the full text goes to `outputSpill`). */
  output?(stream: 'stdout' | 'stderr', chunk: string, skipped?: number): void;
  /** Where a command's full output goes once it outgrows what its record keeps. */
  outputSpill?(stream: 'stdout' | 'stderr'): OutputSpill;
}

/**
 * Everything the executor hands a session instance. Sessions never build this themselves; tests
 * and the executor do.
 */
export interface SessionContext {
  obj: RecordValues;
  data: Record<string, unknown>;
  /** The host's transport (pooled), with the session's connection settings: what `this.c` uses. */
  connection: HostTransport;
  /** The Minke machine, for `this.c.local()`; a `LocalTransport` of the session's own when absent. */
  local?: HostTransport;
  recorder: SessionRecorder;
  /** Aborted at the first stop: the current command finishes, nothing more runs. */
  stopSignal: AbortSignal;
  /** Aborted at the second stop: the running command is killed. */
  killSignal: AbortSignal;
  /** Saves changed fields of the object and returns it as stored. */
  updateObject(values: Record<string, unknown>): Promise<RecordValues>;
}
