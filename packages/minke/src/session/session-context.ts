import type { RecordValues } from '../model/record-codec.js';
import type { CommandResult, ExecOptions } from '../transport/transport.js';
import type { SessionMessage } from './messages.js';

/** What runs a session's commands: the host's transport, with the session's connection settings. */
export interface SessionConnection {
  run(command: string, options?: ExecOptions): Promise<CommandResult>;
}

/** Where a session's commands and messages go as they happen (the store, the event bus). */
export interface SessionRecorder {
  command(result: CommandResult): Promise<void>;
  message(message: SessionMessage): Promise<void>;
  /** A command is about to run, for live views. */
  commandStarted?(command: string): void;
  /** Output as it arrives, for live views. */
  output?(stream: 'stdout' | 'stderr', chunk: string): void;
}

/**
 * Everything the executor hands a session instance. Sessions never build this themselves; tests
 * and the executor do.
 */
export interface SessionContext {
  obj: RecordValues;
  data: Record<string, unknown>;
  connection: SessionConnection;
  recorder: SessionRecorder;
  /** Aborted at the first stop: the current command finishes, nothing more runs. */
  stopSignal: AbortSignal;
  /** Aborted at the second stop: the running command is killed. */
  killSignal: AbortSignal;
  /** Saves changed fields of the object and returns it as stored. */
  updateObject(values: Record<string, unknown>): Promise<RecordValues>;
}
