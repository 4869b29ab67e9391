/**
 * A PostgreSQL cluster of the test's own (initdb in a temp folder, a free loopback port, trust
 * auth), so a test can restart it without disturbing the machine's server or other tests.
 * PostgreSQL refuses to run as root: as root, its programs run as the `postgres` user.
 *
 * @example
 *   const cluster = await startPostgresCluster();
 *   ... cluster.url ...
 *   await cluster.restart();
 *   await cluster.dispose();
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chown, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './redis.js';

const run = promisify(execFile);

export interface PostgresCluster {
  url: string;
  port: number;
  /** `pg_ctl restart -m fast`: connections are cut, the server is back within seconds. */
  restart(): Promise<void>;
  dispose(): Promise<void>;
}

/** Why a private cluster cannot run here, or undefined when it can. */
export async function postgresClusterUnavailableReason(): Promise<string | undefined> {
  try {
    const bin = await binDir();
    if (!existsSync(join(bin, 'initdb'))) return `no initdb in ${bin}`;
    if (process.getuid?.() === 0) await run('id', ['-u', 'postgres']);
    return undefined;
  } catch (error) {
    return `PostgreSQL's server programs are not usable here: ${(error as Error).message}`;
  }
}

async function binDir(): Promise<string> {
  const { stdout } = await run('pg_config', ['--bindir']);
  return stdout.trim();
}

/** Runs a PostgreSQL program, as `postgres` when this process is root. */
async function pg(bin: string, program: string, args: string[], timeoutMs = 60_000) {
  const path = join(bin, program);
  if (process.getuid?.() === 0) {
    return run('runuser', ['-u', 'postgres', '--', path, ...args], { timeout: timeoutMs });
  }
  return run(path, args, { timeout: timeoutMs });
}

export async function startPostgresCluster(): Promise<PostgresCluster> {
  const bin = await binDir();
  const dir = await mkdtemp(join(tmpdir(), 'minke-pg-'));
  const data = join(dir, 'data');
  if (process.getuid?.() === 0) {
    const uid = Number((await run('id', ['-u', 'postgres'])).stdout.trim());
    const gid = Number((await run('id', ['-g', 'postgres'])).stdout.trim());
    await chown(dir, uid, gid);
  }
  const port = await freePort();
  const serverOptions = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off`;
  const ctl = (...args: string[]) =>
    pg(bin, 'pg_ctl', ['-D', data, '-w', '-t', '60', ...args], 90_000);
  try {
    await pg(bin, 'initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync']);
    await ctl('-o', serverOptions, '-l', join(dir, 'server.log'), 'start');
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    async restart() {
      await ctl('-m', 'fast', '-o', serverOptions, '-l', join(dir, 'server.log'), 'restart');
    },
    async dispose() {
      await ctl('-m', 'immediate', 'stop').catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
