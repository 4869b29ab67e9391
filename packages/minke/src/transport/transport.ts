import type { OutputCut, OutputKeep, OutputSpillFactory, OutputStream } from './exec/output-cut.js';

/**
 * The one contract between session code and the machines it works on. `ssh/` reaches remote hosts,
 * `local/` runs on the Minke machine itself; both give the same results and the same stop/kill
 * semantics, so sessions never ask which one they have.
 *
 * @example
 *   await transport.connect();
 *   const result = await transport.exec('uptime', { timeoutMs: 10_000 });
 *   if (commandStatus(result) === 'error') ...
 */
export interface Transport {
  readonly kind: 'ssh' | 'local';
  /** False before `connect()`, after `close()` and after the connection dropped. */
  readonly connected: boolean;
  /** Opens the connection; calling it again after a drop opens a new one. */
  connect(): Promise<void>;
  /** Runs one command. Resolves with its result whatever the exit code; rejects only when the
   * transport itself fails (`TransportError`). */
  exec(command: string, options?: ExecOptions): Promise<CommandResult>;
  /** Copies a local file or bytes to `remotePath` on the host (SFTP over SSH). Rejects with a
   * `TransportError` naming the reason (no such file, permission denied, timed out). */
  put(source: PutSource, remotePath: string, options?: PutOptions): Promise<TransferResult>;
  /** Copies `remotePath` from the host to `options.localPath`, or into memory without one. */
  get(remotePath: string, options?: GetOptions): Promise<TransferResult>;
  /** Kills commands still running (no orphans), then closes the connection. */
  close(): Promise<void>;
}

export interface SudoOptions {
  /** Answer to sudo's password prompt; written to the command's input, never to its argv. */
  password?: string;
  /** Run as this user (`sudo -u`); root when absent. */
  user?: string;
}

export type { OutputStream };

export interface ExecOptions {
  /** Ask for a pseudo-terminal. stderr then arrives merged into stdout, as on a terminal. */
  pty?: boolean;
  /** Variables exported to the command (and kept under sudo). Names must be shell identifiers. */
  env?: Record<string, string>;
  /** Kill the command after this long; the result then has `timedOut: true`. */
  timeoutMs?: number;
  sudo?: SudoOptions;
  /** Called with each decoded chunk as it arrives (UTF-8, never split inside a character). */
  onOutput?: (stream: OutputStream, chunk: string) => void;
  /** Aborting kills the command and its whole process group; the result has `killed: true`. */
  killSignal?: AbortSignal;
  /** How much of each stream the result keeps (head and tail, 128 KiB each by default). */
  keepOutput?: OutputKeep;
  /** Where a stream's full output goes once it outgrows `keepOutput` (the session's output
   * store); without one, what does not fit is only counted. */
  outputSpill?: OutputSpillFactory;
}

export interface CommandResult {
  command: string;
  /** Null when the command did not exit by itself (killed, timed out, ended by a signal). */
  exitCode: number | null;
  /** Signal name without the SIG prefix when the command was ended by one (e.g. `TERM`). */
  signal?: string;
  /** The output, or its head and tail with a marker line between them when it was too long
   * (see `outputCut`). */
  stdout: string;
  stderr: string;
  /** Per stream that outgrew `keepOutput`: how much was left out and where the full text is. */
  outputCut?: Partial<Record<OutputStream, OutputCut>>;
  startedAt: Date;
  finishedAt: Date;
  durationMs: number;
  /** Whether a pseudo-terminal was really used. */
  pty: boolean;
  /** True when `killSignal` was aborted while the command ran. */
  killed: boolean;
  timedOut: boolean;
}

/**
 * What `put` sends: a string is the path of a local file (as in Fabric); bytes, or
 * `{ content }`, are sent as they are.
 *
 * @example
 *   put('./files/app.conf', '/etc/app.conf')
 *   put({ content: 'PORT=8080\n' }, '/etc/app.env', { mode: 0o600 })
 */
export type PutSource = string | Uint8Array | { content: string | Uint8Array };

export interface TransferOptions {
  /** Give up after this long (the connection's command timeout, else 10 minutes). */
  timeoutMs?: number;
  /** Aborting ends the transfer at once; it then rejects. */
  killSignal?: AbortSignal;
}

export interface PutOptions extends TransferOptions {
  /** Permission bits the file ends up with (e.g. `0o600`), whatever it had before. */
  mode?: number;
  /**
   * Without `mode`, give the remote file the local file's bits (as Fabric does), so a 0600 file
   * stays 0600. True by default; false leaves them to the server. Bytes have no bits to keep.
   */
  preserveMode?: boolean;
}

export interface GetOptions extends TransferOptions {
  /** Where to write the file on the Minke machine; the bytes are returned when absent. */
  localPath?: string;
  /** Refuse files larger than this when reading into memory (64 MiB by default). */
  maxBytes?: number;
}

export interface TransferResult {
  direction: 'put' | 'get';
  remotePath: string;
  /** The local file read or written; absent for bytes sent or received in memory. */
  localPath?: string;
  bytes: number;
  /** The permission bits a `put` gave the remote file (absent: the server's default). */
  mode?: number;
  /** The file's content, for a `get` without `localPath`. */
  data?: Buffer;
  startedAt: Date;
  finishedAt: Date;
  durationMs: number;
}

export type CommandStatus = 'success' | 'warning' | 'error';

/**
 * The status a command result gives its session, as in the original Minke: error when it did not
 * exit 0 (or was killed or timed out), warning when it wrote to stderr, success otherwise.
 */
export function commandStatus(result: CommandResult): CommandStatus {
  if (result.killed || result.timedOut || result.exitCode !== 0) return 'error';
  if (result.stderr !== '') return 'warning';
  return 'success';
}
