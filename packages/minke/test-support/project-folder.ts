import type { ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runBuiltCli, type CliResult } from './run-cli.js';

/**
 * A project folder as a user writes one (package.json with "type": "module", minke.config.ts,
 * sessions.ts), for tests that go through the built `minke` command.
 *
 * @example
 *   writeProject(dir, { config: "database: 'sqlite:data.db', sessions: [Fail]", sessions });
 */
export function writeProject(
  dir: string,
  files: { config: string; sessions: string; sessionNames: readonly string[] },
): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), '{ "type": "module", "private": true }\n');
  writeFileSync(join(dir, 'sessions.ts'), files.sessions);
  writeFileSync(
    join(dir, 'minke.config.ts'),
    [
      "import { defineConfig } from 'minke';",
      `import { ${files.sessionNames.join(', ')} } from './sessions.js';`,
      `export default defineConfig({ ${files.config} });`,
      '',
    ].join('\n'),
  );
}

/**
 * The simplest project: one session, `Check`, that runs `true` on a Host (SQLite `data.db`).
 * `prelude`: lines of sessions.ts before the class (imports, checks that run as it loads).
 */
export function writeCheckProject(dir: string, prelude: readonly string[] = []): void {
  writeProject(dir, {
    config: "database: 'sqlite:data.db', sessions: [Check]",
    sessions: [
      "import { SingleCommandSession } from 'minke';",
      ...prelude,
      'export class Check extends SingleCommandSession {',
      "  static override workOn = ['Host'];",
      "  static override command = 'true';",
      '}',
      '',
    ].join('\n'),
    sessionNames: ['Check'],
  });
}

/** Runs the built CLI on the project in `dir`; fails the test with its stderr on a bad exit. */
export async function builtMinke(
  dir: string,
  args: string[],
  env: Record<string, string | undefined> = {},
  timeoutMs = 60_000,
): Promise<CliResult> {
  return runBuiltCli(['--project', dir, ...args], { env, timeoutMs });
}

/** Migrates the project and adds a host that runs commands on this machine. */
export async function prepareLocalHost(
  dir: string,
  env: Record<string, string | undefined> = {},
  host = 'local1',
): Promise<void> {
  for (const args of [['migrate'], ['hosts', 'add', host, '--config', 'transport: local']]) {
    const result = await builtMinke(dir, args, env);
    if (result.code !== 0) throw new Error(`minke ${args.join(' ')}: ${result.stderr}`);
  }
}

/** Resolves with what the child printed once `text` appears (bounded). */
export function printed(child: ChildProcess, text: string, timeoutMs = 30_000): Promise<string> {
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no "${text}" in: ${output}`)), timeoutMs);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (!output.includes(text)) return;
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      resolve(output);
    };
    child.stdout?.on('data', onData);
  });
}

/** Resolves with the child's exit code; kills it after `timeoutMs`. */
export function exited(child: ChildProcess, timeoutMs = 30_000): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
}
