/**
 * A Mosquitto of the test's own that can be stopped and started again on the same loopback port,
 * as an operator restarting the broker would: configured as docs/agents.md says (password file,
 * the ACL, client id = user name), with or without persistence (a broker that keeps its clients'
 * sessions and queued messages across the restart, or one that forgets them).
 *
 * @example
 *   const broker = await startRestartableMosquitto({ prefix: 'minke/v1', persistence: false });
 *   await broker.addUser('minke-server', password);
 *   await broker.stop();
 *   await broker.start(); // same port, same users
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { mosquittoAcl } from './broker-mosquitto.js';
import { freePort } from './redis.js';

const run = promisify(execFile);

export interface RestartableMosquitto {
  url: string;
  port: number;
  /** Adds (or changes) a user; a running broker reads its password file again. */
  addUser(name: string, password: string): Promise<void>;
  /** SIGTERM (a clean shutdown: a persistent broker saves its state), bounded; SIGKILL after. */
  stop(): Promise<void>;
  /** Starts it again on the same port with the same configuration. */
  start(): Promise<void>;
  /** Stops it for good and removes its folder. */
  dispose(): Promise<void>;
}

export async function startRestartableMosquitto(options: {
  prefix: string;
  persistence: boolean;
}): Promise<RestartableMosquitto> {
  const dir = await mkdtemp(join(tmpdir(), 'minke-mosquitto-restart-'));
  const passwords = join(dir, 'passwd');
  await writeFile(passwords, '', { mode: 0o600 });
  await writeFile(join(dir, 'acl'), mosquittoAcl(options.prefix), { mode: 0o600 });
  const port = await freePort();
  const configFile = join(dir, 'mosquitto.conf');
  await writeFile(
    configFile,
    [
      `listener ${port} 127.0.0.1`,
      'allow_anonymous false',
      `password_file ${passwords}`,
      `acl_file ${join(dir, 'acl')}`,
      'use_username_as_clientid true',
      ...(options.persistence
        ? ['persistence true', `persistence_location ${dir}/`, 'autosave_interval 1']
        : ['persistence false']),
      ...(process.getuid?.() === 0 ? ['user root'] : []),
      'log_dest none',
      '',
    ].join('\n'),
  );
  let child: ChildProcess | undefined;

  const stop = async () => {
    const running = child;
    child = undefined;
    if (!running || running.exitCode !== null || running.signalCode !== null) return;
    const gone = new Promise<void>((resolve) => running.once('exit', () => resolve()));
    running.kill('SIGTERM');
    const timer = setTimeout(() => running.kill('SIGKILL'), 5000);
    await gone;
    clearTimeout(timer);
  };
  const start = async () => {
    if (child) return;
    // The port was just released by the previous broker (or found free): it binds at once, but
    // a start that fails (the port taken meanwhile) must say so rather than hang the test.
    const started = spawn('mosquitto', ['-c', configFile], { stdio: 'ignore' });
    child = started;
    try {
      await waitForPort(port, started, 5000);
    } catch (error) {
      await stop();
      throw error;
    }
  };
  try {
    await start();
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    url: `mqtt://127.0.0.1:${port}`,
    port,
    async addUser(name, password) {
      await run('mosquitto_passwd', ['-b', passwords, name, password], { timeout: 10_000 });
      if (!child) return; // read at the next start
      child.kill('SIGHUP');
      await new Promise((resolve) => setTimeout(resolve, 200));
    },
    stop,
    start,
    async dispose() {
      await stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Resolves once something accepts TCP connections on the port; fails if the broker exits. */
async function waitForPort(port: number, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (let attempt = 0; attempt < 200 && Date.now() < deadline; attempt++) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(`mosquitto exited (${child.exitCode ?? child.signalCode}) on port ${port}`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = createConnection({ host: '127.0.0.1', port });
      socket.once('connect', () => (socket.destroy(), resolve(true)));
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`mosquitto did not listen on port ${port} within ${timeoutMs} ms`);
}
