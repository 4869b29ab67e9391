import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { commandResult } from '../exec/command-result.js';
import { CommandOutput } from '../exec/command-output.js';
import { commandScript } from '../exec/command-script.js';
import { InFlight } from '../exec/in-flight.js';
import { KillTrigger } from '../exec/kill-trigger.js';
import { OutputScanner } from '../exec/output-scanner.js';
import { TransportError } from '../transport-error.js';
import { defaultTransferTimeoutMs, getFile, putFile } from '../exec/file-transfer.js';
import type {
  CommandResult,
  ExecOptions,
  GetOptions,
  PutOptions,
  PutSource,
  TransferResult,
  Transport,
} from '../transport.js';
import { completeSudo, type SudoDefaults } from '../config/sudo-defaults.js';
import { localFiles } from './local-files.js';
import { killProcessGroup } from './process-group.js';
import { guardProcessGroup } from './orphan-guard.js';

export interface LocalTransportOptions {
  /** Variables every command gets, under the ones given per command. */
  env?: Record<string, string>;
  /** Default time limit for commands; none when absent. */
  commandTimeoutMs?: number;
  /** Defaults for commands run with `sudo`, as in the connection config. */
  sudo?: SudoDefaults;
}

/**
 * Runs commands on the Minke machine itself, for hosts that are this machine; `put` and `get`
 * copy files with node:fs. Each command runs
 * as `/bin/sh -c` in a session and process group of its own (a detached child), so a kill
 * reaches everything it started, as the SSH transport's kill does on a host; a guard ends the
 * groups still running when this process dies (`orphan-guard.ts`).
 *
 * `pty` is accepted and ignored: a real terminal needs a native module, and Minke ships none.
 * Results say `pty: false`, so a session can tell.
 *
 * @example
 *   const local = new LocalTransport();
 *   const { stdout } = await local.exec('hostname');
 */
export class LocalTransport implements Transport {
  readonly kind = 'local' as const;
  private readonly inFlight = new InFlight();

  constructor(private readonly options: LocalTransportOptions = {}) {}

  /** Always "connected": there is no connection to lose. */
  get connected(): boolean {
    return true;
  }

  connect(): Promise<void> {
    return Promise.resolve();
  }

  async exec(command: string, options: ExecOptions = {}): Promise<CommandResult> {
    const run = this.run(command, {
      ...options,
      sudo: await completeSudo(options.sudo, this.options.sudo ?? {}, 'local'),
      timeoutMs: options.timeoutMs ?? this.options.commandTimeoutMs,
      killSignal: this.inFlight.signalFor(options),
    });
    return this.inFlight.track(run);
  }

  /** Copies a file or bytes to a path of this machine, as `put` does to a host (node:fs). */
  put(source: PutSource, path: string, options: PutOptions = {}): Promise<TransferResult> {
    const bounded = { ...options, killSignal: this.inFlight.signalFor(options) };
    return this.inFlight.track(
      putFile(localFiles, source, path, bounded, this.transferTimeoutMs()),
    );
  }

  /** Copies a file of this machine, to another path or into memory (node:fs). */
  get(path: string, options: GetOptions = {}): Promise<TransferResult> {
    const bounded = { ...options, killSignal: this.inFlight.signalFor(options) };
    return this.inFlight.track(getFile(localFiles, path, bounded, this.transferTimeoutMs()));
  }

  async close(): Promise<void> {
    await this.inFlight.abortAll();
  }

  private transferTimeoutMs(): number {
    return this.options.commandTimeoutMs || defaultTransferTimeoutMs;
  }

  private run(command: string, options: ExecOptions): Promise<CommandResult> {
    const sudoPrompt = `[minke-sudo-${randomBytes(8).toString('hex')}]`;
    const script = commandScript({
      command,
      env: { ...this.options.env, ...options.env },
      sudo: options.sudo,
      sudoPrompt,
    });
    const password = options.sudo?.password;
    const startedAt = new Date();
    // The shell waits for a line on its stdin before it runs anything: that line comes once the
    // orphan guard knows its group. Killed (-9) before that, this process sends only EOF, and
    // the shell exits without running the command; a command never runs unguarded.
    const child = spawn(
      '/bin/sh',
      ['-c', `read -r minke_go || exit 1\nunset minke_go\n${script}`],
      {
        detached: true,
        stdio: ['pipe', 'pipe', 'pipe'],
      },
    );
    // Its group (its pid: a detached child leads one) ends with this process, even on kill -9.
    const unguard = child.pid === undefined ? () => undefined : guardProcessGroup(child.pid);
    child.stdin.write('\n');
    // Nobody types into the command: EOF at once (or after sudo's password), as over SSH.
    if (password === undefined) child.stdin.end();
    let prompts = 0;
    const answer = () => {
      // First prompt: the password, then EOF. A second prompt means it was wrong: EOF makes
      // sudo give up instead of counting more failures.
      if (prompts++ === 0) child.stdin.write(`${password}\n`);
      child.stdin.end();
    };
    const output = new CommandOutput(
      { stderr: new OutputScanner([{ text: sudoPrompt, onMatch: answer }]) },
      { onOutput: options.onOutput, keep: options.keepOutput, spill: options.outputSpill },
    );
    // While the output store is behind, the pipes fill up and the command waits, as on a terminal.
    output.controlFlow({
      pause: () => {
        child.stdout.pause();
        child.stderr.pause();
      },
      resume: () => {
        child.stdout.resume();
        child.stderr.resume();
      },
    });
    return new Promise((resolve, reject) => {
      const trigger = new KillTrigger(options, () => {
        if (child.pid !== undefined) void killProcessGroup(child.pid);
      });
      child.stdout.on('data', (data: Buffer) => output.push('stdout', data));
      child.stderr.on('data', (data: Buffer) => output.push('stderr', data));
      child.stdin.on('error', () => undefined); // the command may exit without reading its input
      child.on('error', (error) => {
        unguard();
        trigger.dispose();
        reject(new TransportError('channel_failed', 'local', error.message, error));
      });
      child.on('close', (code, signal) => {
        unguard();
        trigger.dispose();
        void output.finish().then((collected) =>
          resolve(
            commandResult({
              command,
              startedAt,
              exitCode: code,
              signal: signal?.replace(/^SIG/, ''),
              output: collected,
              pty: false,
              killed: trigger.killed,
              timedOut: trigger.timedOut,
            }),
          ),
        );
      });
    });
  }
}
