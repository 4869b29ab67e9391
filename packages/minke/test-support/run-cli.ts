import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

const entry = fileURLToPath(new URL('../src/cli/run.ts', import.meta.url));
// tsx's loader by absolute URL, so the CLI can run from any working folder.
const tsxLoader = pathToFileURL(
  join(dirname(createRequire(import.meta.url).resolve('tsx/package.json')), 'dist/loader.mjs'),
).href;

/** Runs the `minke` CLI from source in a child process, as a user would, with a bounded time. */
export function runCli(
  args: string[],
  options: {
    env?: Record<string, string | undefined>;
    cwd?: string;
    timeoutMs?: number;
    input?: string;
  } = {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const env: Record<string, string | undefined> = {
      ...process.env,
      NO_COLOR: '1',
      MINKE_DATABASE_URL: undefined,
      ...options.env,
    };
    const child = spawn(process.execPath, ['--import', tsxLoader, entry, ...args], {
      cwd: options.cwd ?? process.cwd(),
      env: Object.fromEntries(
        Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined),
      ),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 30_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(options.input ?? '');
  });
}

/** Starts the CLI and returns the child, for tests that signal it while it runs. */
export function spawnCli(
  args: string[],
  options: { env?: Record<string, string | undefined>; cwd?: string } = {},
) {
  const env: Record<string, string | undefined> = {
    ...process.env,
    NO_COLOR: '1',
    MINKE_DATABASE_URL: undefined,
    ...options.env,
  };
  return spawn(process.execPath, ['--import', tsxLoader, entry, ...args], {
    cwd: options.cwd ?? process.cwd(),
    env: Object.fromEntries(
      Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined),
    ),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
}
