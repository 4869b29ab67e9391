import type { z } from 'zod';
import { InputError } from '../errors.js';
import type { ModelDefinition } from '../model/define-model.js';
import type { RecordValues } from '../model/record-codec.js';
import type { CommandResult, ExecOptions } from '../transport/transport.js';
import { commandStatus } from '../transport/transport.js';
import { formatCommand } from './command-template.js';
import {
  commandMessage,
  preformattedMessage,
  tableMessage,
  toMessageLevel,
  type MessageLevel,
  type SessionMessage,
} from './messages.js';
import { RecordedConnection, type SessionConnection } from './session-connection.js';
import type { SessionContext } from './session-context.js';
import { raiseResult, toSessionResult, type SessionResult } from './status.js';

export const sessionBrand = Symbol.for('minke.session');

/** A model a session works on: a definition, or its name (`'Host'`). */
export type WorkOn = ModelDefinition | string;

/**
 * Base class of every session: the code that runs for one selected object on its host.
 *
 * @example
 *   const form = z.object({ lines: z.number().int().min(1).default(20) });
 *   export class TailSyslog extends Session<typeof form> {
 *     static override workOn = ['Host'];
 *     static override form = form;
 *     override async process() {
 *       await this.xrun('tail -n {lines} /var/log/syslog');
 *     }
 *   }
 */
export abstract class Session<Form extends z.ZodType = z.ZodType<Record<string, unknown>>> {
  static readonly [sessionBrand] = true;
  /**
   * Which built-in type a class derives from. Checked instead of `instanceof`, because a project
   * and the CLI may hold two copies of this module.
   */
  static readonly sessionKind:
    'session' | 'single-command' | 'command-form' | 'command-chain' | 'session-chain' = 'session';
  /** Display name; derived from the class name when absent ("ServerInfo" → "Server info"). */
  static verboseName?: string;
  /** Sessions of a group are listed together in the session picker. */
  static group?: string;
  /** Longer help, shown in the picker. */
  static description?: string;
  /** The models this session works on (at least one). */
  static workOn: readonly WorkOn[] = [];
  /** Permissions a user needs, all of them, besides the automatic run permission. */
  static permissions: readonly string[] = [];
  /** Add the session's own run permission (`run_<snake_name>`) to `permissions`. */
  static autoPermission = true;
  /** A zod schema: rendered as a form in the UI, parsed from `--data` on the CLI. */
  static form?: z.ZodType;
  /** Ask the user to confirm, listing the objects, before running. */
  static confirm = false;
  /** Connection settings for this session (the session layer of the connection config). */
  static connection: Readonly<Record<string, unknown>> = {};
  /** Allow several sessions on one host at once (they run one after another by default). */
  static parallelPerHost = false;
  /**
   * The longest one session may take, in milliseconds, from its start on its host: past it the
   * session is stopped, its running command killed, and it ends failed ("timed out"). None by
   * default. Inherited, so a project's base class can set one for all its sessions.
   */
  static timeoutMs?: number;
  /**
   * An abstract session is not registered. Not inherited: a subclass of an abstract session is
   * registered unless it says `static abstract = true` itself.
   */
  static abstract = true;

  private currentStatus: SessionResult | null = null;
  private connection: SessionConnection | undefined;

  constructor(protected readonly context: SessionContext) {}

  /** The object this session works on. */
  get obj(): RecordValues {
    return this.context.obj;
  }

  /** The form data, parsed by the session's form schema. */
  get data(): z.infer<Form> {
    return this.context.data as z.infer<Form>;
  }

  /**
   * The connection to the object's host, as Fabric's: `run`, `sudo`, `put`/`get` (SFTP) and
   * `local` (the Minke machine). Every call is recorded in the session's history.
   */
  get c(): SessionConnection {
    this.connection ??= new RecordedConnection(this.context);
    return this.connection;
  }

  /** The result so far: null until something sets it (success when the session ends cleanly). */
  get status(): SessionResult | null {
    return this.currentStatus;
  }

  /** Aborted when the user asks the session to stop; long loops in `process()` should check it. */
  get signal(): AbortSignal {
    return this.context.stopSignal;
  }

  /** The session's work. Throw `SessionError` to end it in error with messages. */
  abstract process(): Promise<void>;

  /**
   * Adds a message: a string (shown preformatted), rows (a table), a command result, or a message.
   * The level is info, warning or error (`true` is info, `false` is error).
   */
  async addMsg(
    message: string | readonly (readonly unknown[])[] | CommandResult | SessionMessage,
    level?: MessageLevel | boolean,
  ): Promise<void> {
    const resolved = level === undefined ? undefined : toMessageLevel(level);
    let built: SessionMessage;
    if (typeof message === 'string') built = preformattedMessage(message, resolved);
    else if (Array.isArray(message))
      built = tableMessage(message as readonly (readonly unknown[])[], resolved);
    else if (isCommandResult(message)) built = commandMessage(message, resolved);
    else built = { ...(message as SessionMessage), ...(resolved ? { level: resolved } : {}) };
    await this.context.recorder.message(built);
  }

  /** Sets the result; with `update` (the default) it can only rise: success < warning < error. */
  setStatus(status: SessionResult | boolean, options: { update?: boolean } = {}): void {
    const next = toSessionResult(status);
    this.currentStatus = options.update === false ? next : raiseResult(this.currentStatus, next);
  }

  /** Fills `{field}` placeholders from the form data, then the object; every value shell-quoted. */
  formatCmd(template: string): string {
    return formatCommand(template, this.data as Record<string, unknown>, this.obj);
  }

  /** Runs a command as given and records it (`this.c.run`). Nothing more runs once a stop was
   * asked for. */
  run(command: string, options: ExecOptions = {}): Promise<CommandResult> {
    return this.c.run(command, options);
  }

  /** `run` with the command built by `formatCmd`. */
  frun(template: string, options?: ExecOptions): Promise<CommandResult> {
    return this.run(this.formatCmd(template), options);
  }

  /** `frun`, then a message with the command's output, and the session's status raised to the command's. */
  async xrun(template: string, options?: ExecOptions): Promise<CommandResult> {
    const result = await this.frun(template, options);
    await this.addMsg(result);
    this.setStatus(commandStatus(result));
    return result;
  }

  /**
   * Runs a command and stores its output in a field of the object: the regex's first group (or
   * whole match) when a regex is given, else stdout without its final newline. When the command
   * fails, prints nothing or the regex does not match, the field is emptied, an error message
   * added and the status raised to warning. Returns whether a value was stored.
   */
  async updateField(
    field: string,
    template: string,
    regex?: RegExp | string,
    options?: ExecOptions,
  ): Promise<boolean> {
    if (!Object.hasOwn(this.obj, field)) {
      throw new InputError(`updateField: the object has no field "${field}"`);
    }
    const result = await this.frun(template, options);
    let value: string | null = null;
    if (result.exitCode === 0) {
      const stdout = result.stdout.replace(/\r?\n$/, '');
      if (regex === undefined) value = stdout === '' ? null : stdout;
      else {
        const match = (typeof regex === 'string' ? new RegExp(regex) : regex).exec(stdout);
        value = match ? (match[1] ?? match[0]) : null;
      }
    }
    if (value === null) {
      await this.addMsg(result, 'error');
      this.setStatus('warning');
    }
    Object.assign(this.context.obj, await this.context.updateObject({ [field]: value }));
    return value !== null;
  }
}

function isCommandResult(value: unknown): value is CommandResult {
  return (
    typeof value === 'object' &&
    value !== null &&
    'command' in value &&
    'exitCode' in value &&
    'stdout' in value
  );
}

/** The static side of a session class: what the registry and the executor read. */
export interface SessionStatics {
  readonly name: string;
  readonly sessionKind: (typeof Session)['sessionKind'];
  verboseName?: string;
  group?: string;
  description?: string;
  workOn: readonly WorkOn[];
  permissions: readonly string[];
  autoPermission: boolean;
  form?: z.ZodType;
  confirm: boolean;
  connection: Readonly<Record<string, unknown>>;
  parallelPerHost: boolean;
  timeoutMs?: number;
  abstract: boolean;
}

/** A session class, concrete or abstract. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type SessionClass = (abstract new (context: SessionContext) => Session<z.ZodType<any>>) &
  SessionStatics;

export function isSessionClass(value: unknown): value is SessionClass {
  return (
    typeof value === 'function' &&
    (value as unknown as Record<symbol, unknown>)[sessionBrand] === true
  );
}
