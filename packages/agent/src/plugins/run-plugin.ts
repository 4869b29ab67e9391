import { spawn, type ChildProcess } from 'node:child_process';

export interface RunOptions {
  /** The program and its arguments; no shell is involved. */
  argv: readonly string[];
  timeoutMs: number;
  /** Standard output is cut here; the process is then stopped and the outcome marked truncated. */
  maxOutputBytes: number;
  /** Standard error kept for the result (the start of it). Default 16 KiB. */
  maxStderrBytes?: number;
  /** Stops the process, as a timeout does (the agent is shutting down). */
  signal?: AbortSignal;
  /** Default: this process's environment without the agent's own `MINKE_AGENT_*` settings. */
  env?: NodeJS.ProcessEnv;
  /** Between SIGTERM and SIGKILL. Default 2 s. */
  killGraceMs?: number;
}

export interface RunOutcome {
  stdout: Buffer;
  stderr: Buffer;
  /** `null` when the process ended by a signal or never started. */
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  truncated: boolean;
  aborted: boolean;
  /** Why the program could not be started at all (`command not found: facter`). */
  spawnError?: string;
  startedAt: Date;
  finishedAt: Date;
  durationMs: number;
}

/** How long to wait for the output pipes to close once the process has exited. */
const PIPE_CLOSE_WAIT_MS = 1000;

/**
 * Runs a plugin's command without a shell, in its own process group so that a timeout stops the
 * children it started too. Never rejects: every failure is described in the outcome.
 *
 * @example
 *   const outcome = await runPlugin({ argv: ['facter', '-y'], timeoutMs: 60_000, maxOutputBytes: 1 << 20 });
 */
export function runPlugin(options: RunOptions): Promise<RunOutcome> {
  const startedAt = new Date();
  return new Promise((resolve) => {
    const [program, ...args] = options.argv;
    const state = { timedOut: false, truncated: false, aborted: false };
    const stdout = new Capped(options.maxOutputBytes);
    const stderr = new Capped(options.maxStderrBytes ?? 16 * 1024);
    let child: ChildProcess;
    let finished = false;
    const timers: NodeJS.Timeout[] = [];

    const finish = (
      exitCode: number | null,
      signal: NodeJS.Signals | null,
      spawnError?: string,
    ): void => {
      if (finished) return;
      finished = true;
      timers.forEach(clearTimeout);
      options.signal?.removeEventListener('abort', onAbort);
      child.stdout?.destroy();
      child.stderr?.destroy();
      const finishedAt = new Date();
      resolve({
        stdout: stdout.bytes(),
        stderr: stderr.bytes(),
        exitCode,
        signal,
        ...state,
        ...(spawnError === undefined ? {} : { spawnError }),
        startedAt,
        finishedAt,
        durationMs: finishedAt.getTime() - startedAt.getTime(),
      });
    };
    const stop = (): void => {
      killGroup(child, 'SIGTERM');
      timers.push(setTimeout(() => killGroup(child, 'SIGKILL'), options.killGraceMs ?? 2000));
    };
    const onAbort = (): void => {
      state.aborted = true;
      stop();
    };

    try {
      child = spawn(program ?? '', args, {
        shell: false,
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: process.platform !== 'win32',
        windowsHide: true,
        env: options.env ?? pluginEnvironment(),
      });
    } catch (error) {
      child = { stdout: null, stderr: null } as ChildProcess;
      finish(null, null, describeSpawnError(error, program));
      return;
    }

    child.stdout?.on('data', (chunk: Buffer) => {
      if (stdout.add(chunk)) return;
      if (!state.truncated) {
        state.truncated = true;
        stop();
      }
    });
    child.stderr?.on('data', (chunk: Buffer) => void stderr.add(chunk));
    child.on('error', (error) => {
      if (child.pid === undefined) finish(null, null, describeSpawnError(error, program));
    });
    child.on('close', (code, signal) => finish(code, signal));
    child.on('exit', (code, signal) => {
      // Something the plugin left running may hold the pipes open; do not wait for it forever.
      timers.push(
        setTimeout(() => {
          killGroup(child, 'SIGKILL');
          finish(code, signal);
        }, PIPE_CLOSE_WAIT_MS),
      );
    });
    timers.push(
      setTimeout(() => {
        state.timedOut = true;
        stop();
      }, options.timeoutMs),
    );
    if (options.signal?.aborted) onAbort();
    else options.signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** The environment plugins run with: the agent's, minus its own settings (the broker password). */
export function pluginEnvironment(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([key]) => !key.startsWith('MINKE_AGENT_')));
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    if (process.platform !== 'win32') process.kill(-child.pid, signal);
    else child.kill(signal);
  } catch {
    // Already gone.
  }
}

function describeSpawnError(error: unknown, program: string | undefined): string {
  const code = (error as NodeJS.ErrnoException).code;
  const name = program ?? '';
  if (code === 'ENOENT') return `command not found: ${name}`;
  if (code === 'EACCES') return `permission denied: ${name}`;
  return `cannot start ${name}: ${(error as Error).message}`;
}

/** A byte buffer that keeps at most `limit` bytes. */
class Capped {
  private readonly chunks: Buffer[] = [];
  private size = 0;

  constructor(private readonly limit: number) {}

  /** Adds what fits; false when something had to be left out. */
  add(chunk: Buffer): boolean {
    const room = this.limit - this.size;
    if (room <= 0) return chunk.length === 0;
    const kept = chunk.length <= room ? chunk : chunk.subarray(0, room);
    this.chunks.push(kept);
    this.size += kept.length;
    return kept.length === chunk.length;
  }

  bytes(): Buffer {
    return Buffer.concat(this.chunks, this.size);
  }
}
