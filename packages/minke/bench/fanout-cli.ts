// The CLI side of the fan-out benchmark: `minke run FanoutTrue --all` as a user types it, the
// built command on a project folder, so that start-up, loading the project, printing a line per
// host and closing are all in the figure. The project folder shares the bench's SQLite file, whose
// host records the in-process side uses too.
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const builtBin = fileURLToPath(new URL('../bin/minke.js', import.meta.url));

/**
 * The child reports its own CPU time and peak RSS at exit on file descriptor 3: process-wide
 * figures that include every thread (libuv's pool, the SQLite driver), which /proc of a reaped
 * child no longer gives.
 */
const reportUsage = `data:text/javascript,${encodeURIComponent(
  "import { writeSync } from 'node:fs'; process.on('exit', () => { const u = process.resourceUsage(); writeSync(3, JSON.stringify({ cpuMs: (u.userCPUTime + u.systemCPUTime) / 1000, maxRssBytes: u.maxRSS * 1024 })); });",
)}`;

/** Writes a project folder beside the bench database: the one-command session and its limit. */
export async function writeCliProject(dir: string, maxParallelHosts: number): Promise<void> {
  await writeFile(join(dir, 'package.json'), '{ "private": true, "type": "module" }\n');
  await writeFile(
    join(dir, 'minke.config.ts'),
    `import { defineConfig, SingleCommandSession } from 'minke';

/** The session every host runs: one command, nothing else. */
export class FanoutTrue extends SingleCommandSession {
  static override workOn = ['Host'];
  static override command = 'true';
}

export default defineConfig({
  database: 'sqlite:fanout.db',
  models: [],
  sessions: [FanoutTrue],
  executor: { maxParallelHosts: ${maxParallelHosts} },
});
`,
  );
}

export interface CliOutcome {
  wallMs: number;
  /** Until the first line on stdout: the first host's result. */
  firstLineMs: number | undefined;
  /** Until the summary line: the run is over, what follows is closing. */
  summaryLineMs: number | undefined;
  cpuMs: number;
  maxRssBytes: number;
  exitCode: number | null;
  /** Lines the command printed (one per host, and the summary). */
  lines: number;
  /** Sessions the summary line counts as `success`; undefined when it printed none. */
  successes: number | undefined;
  stderr: string;
}

/**
 * Runs the built CLI once and waits for it to exit (killed after `timeoutMs`); with `cpuProfileDir`
 * the child writes a V8 CPU profile there (`--cpu-prof`), to open in a browser's dev tools.
 */
export function runCli(
  dir: string,
  timeoutMs: number,
  cpuProfileDir?: string,
): Promise<CliOutcome> {
  const start = performance.now();
  const profile =
    cpuProfileDir === undefined ? [] : ['--cpu-prof', '--cpu-prof-dir', cpuProfileDir];
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        ...profile,
        '--import',
        reportUsage,
        builtBin,
        '--project',
        dir,
        'run',
        'FanoutTrue',
        '--all',
      ],
      // No MINKE_* variables from the caller: the project folder decides, as in the other sides.
      { stdio: ['ignore', 'pipe', 'pipe', 'pipe'], env: withoutMinkeVariables(process.env) },
    );
    let firstLineMs: number | undefined;
    let summaryLineMs: number | undefined;
    let lines = 0;
    let stderr = '';
    let usage = '';
    let tail = '';
    child.stdio[3]?.on('data', (chunk: Buffer) => (usage += chunk.toString()));
    child.stdout?.on('data', (chunk: Buffer) => {
      for (const byte of chunk) if (byte === 10) lines++;
      tail = (tail + chunk.toString()).slice(-4096);
      if (firstLineMs === undefined && lines > 0) firstLineMs = performance.now() - start;
      if (summaryLineMs === undefined && /session\(s\): /.test(tail))
        summaryLineMs = performance.now() - start;
    });
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (exitCode) => {
      clearTimeout(timer);
      const wallMs = performance.now() - start;
      let figures = { cpuMs: NaN, maxRssBytes: NaN };
      try {
        figures = JSON.parse(usage) as typeof figures;
      } catch {
        // Killed before its exit handler ran: the figures stay unknown (NaN), the row says so.
      }
      // The summary line: "200 success, 0 warning, 0 error" (src/cli/run-outcome.ts).
      const success = /(\d+) success, \d+ warning/.exec(tail)?.[1];
      const successes = success === undefined ? undefined : Number(success);
      resolve({
        wallMs,
        firstLineMs,
        summaryLineMs,
        exitCode,
        lines,
        successes,
        stderr,
        ...figures,
      });
    });
  });
}

function withoutMinkeVariables(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([name]) => !name.startsWith('MINKE_')));
}
