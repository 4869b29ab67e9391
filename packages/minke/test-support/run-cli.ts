import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  env?: Record<string, string | undefined>;
  cwd?: string;
  timeoutMs?: number;
  input?: string;
}

const sourceEntry = fileURLToPath(new URL('../src/cli/run.ts', import.meta.url));
/** The `minke` command exactly as a user runs it: bin/minke.js over the built dist/. */
const builtEntry = fileURLToPath(new URL('../bin/minke.js', import.meta.url));
// tsx's loader by absolute URL, so the CLI can run from any working folder.
const tsxLoader = pathToFileURL(
  join(dirname(createRequire(import.meta.url).resolve('tsx/package.json')), 'dist/loader.mjs'),
).href;

const sourceArgs = ['--import', tsxLoader, sourceEntry];
const builtArgs = [builtEntry];

function spawnWith(nodeArgs: string[], args: string[], options: CliOptions) {
  const env: Record<string, string | undefined> = {
    ...process.env,
    NO_COLOR: '1',
    MINKE_DATABASE_URL: undefined,
    ...options.env,
  };
  return spawn(process.execPath, [...nodeArgs, ...args], {
    cwd: options.cwd ?? process.cwd(),
    env: Object.fromEntries(
      Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined),
    ),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
}

function runWith(nodeArgs: string[], args: string[], options: CliOptions): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawnWith(nodeArgs, args, options);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    // Only a hung command is stopped: on a loaded machine one command can take many seconds.
    const limitMs = options.timeoutMs ?? 90_000;
    const timer = setTimeout(() => {
      stderr += `\n[test harness: no exit within ${limitMs} ms, killed]`;
      child.kill('SIGKILL');
    }, limitMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(options.input ?? '');
  });
}

/** Runs the `minke` CLI from source in a child process, with a bounded time. */
export function runCli(args: string[], options: CliOptions = {}): Promise<CliResult> {
  return runWith(sourceArgs, args, options);
}

/** Starts the CLI from source and returns the child, for tests that signal it while it runs. */
export function spawnCli(args: string[], options: Omit<CliOptions, 'timeoutMs' | 'input'> = {}) {
  return spawnWith(sourceArgs, args, options);
}

/**
 * Runs the built `minke` command (bin/minke.js over dist/, what `npm ci` builds), the door a user
 * goes through: a project folder loaded by the CLI, not `src/` imported by the test.
 */
export function runBuiltCli(args: string[], options: CliOptions = {}): Promise<CliResult> {
  return runWith(builtArgs, args, options);
}

/** Starts the built `minke` command and returns the child (servers, long runs, kill -9). */
export function spawnBuiltCli(
  args: string[],
  options: Omit<CliOptions, 'timeoutMs' | 'input'> = {},
) {
  return spawnWith(builtArgs, args, options);
}
