import { LocalTransport } from '../transport/local/local-transport.js';
import type {
  CommandResult,
  ExecOptions,
  GetOptions,
  PutSource,
  SudoOptions,
  TransferResult,
} from '../transport/transport.js';
import { isTransportError } from '../transport/transport-error.js';
import { shellQuote } from '../util/shell-quote.js';
import type { HostTransport, SessionContext } from './session-context.js';
import { LiveOutput } from './live-output.js';
import {
  checkRootOnlyOptions,
  getAsRoot,
  putAsRoot,
  type RootPutOptions,
} from './root-transfers.js';
import { StopRequested } from './stop-requested.js';

/** `sudo()` options: who to become and the password (the connection's `sudo` settings fill in
 * what is left out), plus those of any command. */
export type SudoRunOptions = Omit<ExecOptions, 'sudo'> & SudoOptions;

/**
 * `put()` options: with `sudo: true` the file is written as root (staged, then `sudo install`),
 * which may also set its `owner` and `group`.
 */
export type SessionPutOptions = RootPutOptions & { sudo?: boolean };

/** `get()` options; the local path is `get`'s second argument. `sudo: true` reads as root. */
export type SessionGetOptions = Omit<GetOptions, 'localPath'> & { sudo?: boolean };

/**
 * A session's connection to its object's host, as Fabric's: `run`, `sudo`, `put`/`get` over
 * SFTP, and `local` for the Minke machine. Every call is recorded in the session's history
 * (transfers as `put ... -> ...` entries), nothing new starts after a stop, and the second stop
 * (kill) ends what is running.
 *
 * @example
 *   await this.c.put({ content: config }, '/tmp/app.conf', { mode: 0o600 });
 *   await this.c.sudo('install -m 600 /tmp/app.conf /etc/app.conf && rm /tmp/app.conf');
 *   const { data } = await this.c.get('/etc/hostname');
 *   await this.c.local('git -C ./deploy pull --ff-only');
 */
export interface SessionConnection {
  /** Runs a command on the host; resolves whatever its exit code (see `commandStatus`). */
  run(command: string, options?: ExecOptions): Promise<CommandResult>;
  /** Runs a command through sudo; the password prompt is answered, never put in argv. */
  sudo(command: string, options?: SudoRunOptions): Promise<CommandResult>;
  /** Copies a local file (a string is a path), bytes, or `{ content }` to the host. */
  put(source: PutSource, remotePath: string, options?: SessionPutOptions): Promise<TransferResult>;
  /** Copies a file from the host to `localPath`, or into `result.data` without one. */
  get(remotePath: string, localPath?: string, options?: SessionGetOptions): Promise<TransferResult>;
  /** Runs a command on the Minke machine (as the user Minke runs as). */
  local(command: string, options?: ExecOptions): Promise<CommandResult>;
}

/** The `SessionConnection` every session gets as `this.c`, over the context's transports. */
export class RecordedConnection implements SessionConnection {
  private localTransport: HostTransport | undefined;

  constructor(private readonly context: SessionContext) {}

  run(command: string, options: ExecOptions = {}): Promise<CommandResult> {
    const label = tagOf(false, options.sudo) + command;
    return this.command(this.context.connection, command, label, options);
  }

  sudo(command: string, options: SudoRunOptions = {}): Promise<CommandResult> {
    const { user, password, ...rest } = options;
    const sudo: SudoOptions = {};
    if (user !== undefined) sudo.user = user;
    if (password !== undefined) sudo.password = password;
    return this.run(command, { ...rest, sudo });
  }

  local(command: string, options: ExecOptions = {}): Promise<CommandResult> {
    this.localTransport ??= this.context.local ?? new LocalTransport();
    return this.command(this.localTransport, command, tagOf(true, options.sudo) + command, options);
  }

  put(
    source: PutSource,
    remotePath: string,
    options: SessionPutOptions = {},
  ): Promise<TransferResult> {
    checkRootOnlyOptions(options);
    const { sudo, ...putOptions } = options;
    const tag = tagOf(false, sudo ? {} : undefined);
    const from = typeof source === 'string' ? shellQuote(source) : '<data>';
    const owner = ownerText(options.owner, options.group);
    const notes = (mode: number | undefined) => [
      ...(mode === undefined ? [] : [modeText(mode)]),
      ...(owner ? [owner] : []),
    ];
    return this.transfer(
      `${tag}put ${from} -> ${shellQuote(remotePath)}`,
      notes(options.mode),
      options.killSignal,
      (killSignal) => {
        const asked = { ...putOptions, killSignal };
        const { connection } = this.context;
        return sudo
          ? putAsRoot(connection, source, remotePath, asked)
          : connection.put(source, remotePath, asked);
      },
      (result) => ({
        label: `${tag}put ${from} -> ${shellQuote(result.remotePath)}`,
        notes: notes(result.mode),
      }),
    );
  }

  get(
    remotePath: string,
    localPath?: string,
    options: SessionGetOptions = {},
  ): Promise<TransferResult> {
    const { sudo, ...getOptions } = options;
    const tag = tagOf(false, sudo ? {} : undefined);
    const to = localPath === undefined ? '' : ` -> ${shellQuote(localPath)}`;
    return this.transfer(
      `${tag}get ${shellQuote(remotePath)}${to}`,
      [],
      options.killSignal,
      (killSignal) => {
        const asked = {
          ...getOptions,
          ...(localPath === undefined ? {} : { localPath }),
          killSignal,
        };
        const { connection } = this.context;
        return sudo ? getAsRoot(connection, remotePath, asked) : connection.get(remotePath, asked);
      },
      (result) => ({
        label:
          `${tag}get ${shellQuote(remotePath)}` +
          (result.localPath === undefined ? '' : ` -> ${shellQuote(result.localPath)}`),
        notes: [],
      }),
    );
  }

  private async command(
    transport: HostTransport,
    command: string,
    label: string,
    options: ExecOptions,
  ): Promise<CommandResult> {
    const { recorder } = this.context;
    this.refuseAfterStop();
    recorder.commandStarted?.(label);
    const live = new LiveOutput((stream, chunk, skipped) =>
      recorder.output?.(stream, chunk, skipped),
    );
    const spill = recorder.outputSpill?.bind(recorder);
    const result = await transport
      .exec(command, {
        ...(spill ? { outputSpill: spill } : {}),
        ...options,
        killSignal: this.killSignalWith(options.killSignal),
        onOutput: (stream, chunk) => {
          live.push(stream, chunk);
          options.onOutput?.(stream, chunk);
        },
      })
      .finally(() => live.flush());
    const recorded = label === command ? result : { ...result, command: label };
    await recorder.command(recorded);
    if (result.killed && this.context.killSignal.aborted) throw new StopRequested();
    return recorded;
  }

  /**
   * Runs a transfer and records it as a command: `put ./app.conf -> /etc/app.conf (812 bytes)`,
   * exit code 0; a failure is recorded with no exit code and the reason as its stderr, then
   * rethrown, so the session ends with that reason as its message unless the code catches it.
   */
  private async transfer(
    label: string,
    notes: string[],
    ownKillSignal: AbortSignal | undefined,
    work: (killSignal: AbortSignal) => Promise<TransferResult>,
    done: (result: TransferResult) => { label: string; notes: string[] },
  ): Promise<TransferResult> {
    const { recorder } = this.context;
    this.refuseAfterStop();
    recorder.commandStarted?.(label);
    const startedAt = new Date();
    try {
      const result = await work(this.killSignalWith(ownKillSignal));
      // The bits a put really set (also the local file's, kept by default), else what was asked.
      const final = done(result);
      const summary = [...final.notes, `${result.bytes} bytes`].join(', ');
      await recorder.command(
        transferRecord(`${final.label} (${summary})`, startedAt, { exitCode: 0 }),
      );
      return result;
    } catch (error) {
      const killed = this.context.killSignal.aborted;
      const described = notes.length ? `${label} (${notes.join(', ')})` : label;
      await recorder.command(
        transferRecord(described, startedAt, {
          exitCode: null,
          stderr: `${error instanceof Error ? error.message : String(error)}\n`,
          killed,
          timedOut: isTransportError(error) && error.reason === 'transfer_timeout',
        }),
      );
      if (killed) throw new StopRequested();
      throw error;
    }
  }

  /** After the first stop nothing new starts; the session ends as stopped. */
  private refuseAfterStop(): void {
    if (this.context.stopSignal.aborted) throw new StopRequested();
  }

  /** The session's kill (second stop) always applies, also next to a signal of the caller's. */
  private killSignalWith(own: AbortSignal | undefined): AbortSignal {
    return own ? AbortSignal.any([own, this.context.killSignal]) : this.context.killSignal;
  }
}

/** How history shows where and as whom a command ran: `[sudo -u www] ...`, `[local] ...`. */
function tagOf(local: boolean, sudo: SudoOptions | undefined): string {
  const parts = local ? ['local'] : [];
  if (sudo) parts.push(sudo.user === undefined ? 'sudo' : `sudo -u ${shellQuote(sudo.user)}`);
  return parts.length === 0 ? '' : `[${parts.join(', ')}] `;
}

function transferRecord(
  command: string,
  startedAt: Date,
  outcome: { exitCode: number | null; stderr?: string; killed?: boolean; timedOut?: boolean },
): CommandResult {
  const finishedAt = new Date();
  return {
    command,
    exitCode: outcome.exitCode,
    stdout: '',
    stderr: outcome.stderr ?? '',
    startedAt,
    finishedAt,
    durationMs: finishedAt.getTime() - startedAt.getTime(),
    pty: false,
    killed: outcome.killed ?? false,
    timedOut: outcome.timedOut ?? false,
  };
}

/** `owner root:daemon`, `owner root`, `group daemon`; '' with neither. */
function ownerText(owner: string | undefined, group: string | undefined): string {
  if (owner !== undefined) return `owner ${owner}${group === undefined ? '' : `:${group}`}`;
  return group === undefined ? '' : `group ${group}`;
}

function modeText(mode: number): string {
  return `mode ${mode.toString(8).padStart(4, '0')}`;
}
