import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
export const repoRoot = resolve(here, '../../..');
export const webRoot = resolve(here, '..');
export const minkeBin = join(repoRoot, 'packages/minke/bin/minke.js');
const demo = join(repoRoot, 'examples/demo');

export const ADMIN = { username: 'admin', password: 'admin-e2e-password' };
/** May view hosts and servers and run the health check only. */
export const VIEWER = { username: 'viewer', password: 'viewer-e2e-password' };

export interface MinkeServer {
  url: string;
  projectDir: string;
  /** The server's stderr so far (for failure messages). */
  log(): string;
  stop(): Promise<void>;
}

/** A free loopback port (the OS picks one; a race with another process is unlikely). */
export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address
          ? resolvePort(address.port)
          : reject(new Error('no port')),
      );
    });
  });
}

/** The environment of every `minke` the tests start: no settings inherited from the shell. */
export function baseEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, MINKE_MQTT_PORT: '0', MINKE_LOG_LEVEL: 'warn' };
  for (const key of ['MINKE_DATABASE_URL', 'MINKE_PORT', 'MINKE_LISTEN', 'MINKE_CLI_USER'])
    delete env[key];
  return env;
}

/**
 * Runs a Node script (`args[0]`, then its arguments) to its end: resolves with its output (stdout
 * and stderr together), rejects with it when it exits with an error or is killed after
 * `timeoutMs`. `what` names it in the error.
 */
export function runNode(
  args: readonly string[],
  options: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs: number; what: string },
): Promise<string> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(process.execPath, args, {
      cwd: options.cwd,
      env: options.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code === 0) resolveRun(out);
      else reject(new Error(`${options.what} exited ${code}:\n${out}`));
    });
  });
}

/** Runs the minke CLI on the project; rejects with its output when it fails. */
export function cli(
  projectDir: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv = {},
  timeoutMs = 60_000,
): Promise<string> {
  return runNode([minkeBin, '--project', projectDir, ...args], {
    cwd: projectDir,
    env: { ...baseEnv(), ...env },
    timeoutMs,
    what: `minke ${args.join(' ')}`,
  });
}

/**
 * A throw-away copy of the demo project: its models, sessions and data, three more hosts on
 * the local transport and two test sessions (a long sleep, 40,000 lines of output).
 */
export function makeProject(): string {
  const dir = mkdtempSync(join(tmpdir(), 'minke-web-e2e-'));
  for (const file of ['models.ts', 'sessions.ts', 'demo-data.yaml'])
    copyFileSync(join(demo, file), join(dir, file));
  copyFileSync(join(here, 'fixtures/e2e-sessions.ts'), join(dir, 'e2e-sessions.ts'));
  copyFileSync(join(here, 'fixtures/e2e-data.yaml'), join(dir, 'e2e-data.yaml'));
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ type: 'module', private: true }));
  writeFileSync(
    join(dir, 'minke.config.ts'),
    `import { defineConfig } from 'minke';
import { App, Module, Server } from './models.js';
import { AppFiles, DiskUsage, FullCheck, HealthCheck, RunCommand, ServerInfo } from './sessions.js';
import { BigOutput, ChattyOutput, LongSleep, SecretEcho, Ticker, TimesOut } from './e2e-sessions.js';

export default defineConfig({
  database: 'sqlite:minke-e2e.db',
  models: [Server, App, Module],
  sessions: [ServerInfo, DiskUsage, RunCommand, HealthCheck, AppFiles, FullCheck, LongSleep, ChattyOutput, Ticker, BigOutput, SecretEcho, TimesOut],
  pluginsDir: 'plugins',
  server: { listen: '127.0.0.1', port: 8000 },
});
`,
  );
  return dir;
}

/** `count` more hosts on the local transport, named `zz-fleet-000`… (they sort last). */
export function fleetYaml(count: number): string {
  const hosts = Array.from(
    { length: count },
    (_, i) =>
      `  - { name: zz-fleet-${String(i).padStart(3, '0')}, hostname: 127.0.0.1, config: { transport: local } }`,
  );
  return `hosts:\n${hosts.join('\n')}\n`;
}

export interface ServerOptions {
  /** Hosts added for the fleet test (default none). */
  fleet?: number;
}

/** Makes `user` on the project (a superuser with `superuser`), with its password. */
export async function createUser(
  projectDir: string,
  user: { username: string; password: string },
  options: { superuser?: boolean } = {},
): Promise<void> {
  const flags = options.superuser ? ['--superuser'] : [];
  await cli(projectDir, ['users', 'create', user.username, ...flags], {
    MINKE_PASSWORD: user.password,
  });
}

/** Makes an API token for `username` (named `name` if given) and returns it. */
export async function createToken(
  projectDir: string,
  username: string,
  name?: string,
): Promise<string> {
  const named = name ? ['--name', name] : [];
  const out = await cli(projectDir, ['tokens', 'create', '--user', username, ...named]);
  // `cli` mixes stdout (the token alone) with stderr (a note on keeping it safe)
  const token = out.split('\n').find((line) => line.startsWith('mkt_'));
  if (!token) throw new Error(`no token in the output of minke tokens create:\n${out}`);
  return token;
}

/** Migrates the project and loads the demo's data and the e2e hosts and records. */
export async function loadDemo(projectDir: string): Promise<void> {
  await cli(projectDir, ['migrate']);
  await cli(projectDir, ['load', join(projectDir, 'demo-data.yaml')]);
  await cli(projectDir, ['load', join(projectDir, 'e2e-data.yaml')]);
}

/** Migrates and loads the project, makes the two users, starts `minke start` and waits for it. */
export async function startServer(options: ServerOptions = {}): Promise<MinkeServer> {
  const projectDir = makeProject();
  try {
    await loadDemo(projectDir);
    if (options.fleet) {
      writeFileSync(join(projectDir, 'fleet.yaml'), fleetYaml(options.fleet));
      await cli(projectDir, ['load', join(projectDir, 'fleet.yaml')]);
    }
    await createUser(projectDir, ADMIN, { superuser: true });
    await createUser(projectDir, VIEWER);
    // the viewer may run the health check, and nothing else
    await cli(projectDir, [
      'users',
      'grant',
      VIEWER.username,
      'view_host',
      'view_server',
      'run_health_check',
    ]);
  } catch (error) {
    rmSync(projectDir, { recursive: true, force: true });
    throw error;
  }
  return await startMinke(projectDir);
}

/**
 * Starts `minke start` on a prepared project folder, on a free loopback port, and waits for
 * `/healthz`. `stop()` stops it and removes the folder (also when it never came up).
 */
export async function startMinke(
  projectDir: string,
  env: NodeJS.ProcessEnv = {},
): Promise<MinkeServer> {
  const port = await freePort();
  const child = spawn(
    process.execPath,
    [minkeBin, '--project', projectDir, 'start', '--port', String(port)],
    {
      cwd: projectDir,
      env: { ...baseEnv(), ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let log = '';
  child.stdout?.on('data', (chunk: Buffer) => (log += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (log += chunk.toString()));
  const url = `http://127.0.0.1:${port}`;
  const server: MinkeServer = {
    url,
    projectDir,
    log: () => log,
    stop: async () => {
      await stopChild(child);
      rmSync(projectDir, { recursive: true, force: true });
    },
  };
  try {
    await waitForHealth(url, child, () => log);
  } catch (error) {
    await server.stop();
    throw error;
  }
  return server;
}

/** Resolves once `/healthz` answers; fails if the child exits or nothing answers in time. */
export async function waitForHealth(
  url: string,
  child: ChildProcess,
  log: () => string,
  timeoutMs = 30_000,
) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`minke start exited ${child.exitCode}:\n${log()}`);
    try {
      const response = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(1000) });
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`minke start did not answer /healthz within ${timeoutMs} ms:\n${log()}`);
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves once the child exited. */
export function stopChild(child: ChildProcess, graceMs = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolveStop) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolveStop();
    });
    child.kill('SIGTERM');
  });
}
