import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import mqtt from 'mqtt';

const run = promisify(execFile);

/** The broker ACL docs/agents.md gives for Mosquitto, for topic prefix `prefix`. */
export function mosquittoAcl(prefix: string, serverUser = 'minke-server'): string {
  return [
    `user ${serverUser}`,
    `topic readwrite ${prefix}/#`,
    '',
    `pattern read ${prefix}/req/all`,
    `pattern read ${prefix}/req/node/%u`,
    `pattern read ${prefix}/ack/%u`,
    `pattern write ${prefix}/res/%u`,
    `pattern write ${prefix}/presence/%u`,
    '',
  ].join('\n');
}

export interface PrivateMosquitto {
  url: string;
  /** Adds (or changes) a user and makes the broker read its password file again. */
  addUser(name: string, password: string): Promise<void>;
  close(): Promise<void>;
}

/**
 * A Mosquitto of the test's own, on a free 127.0.0.1 port, configured as docs/agents.md says:
 * no anonymous clients, a password file, the ACL above, client id = user name.
 */
export async function startPrivateMosquitto(prefix: string): Promise<PrivateMosquitto> {
  const dir = await mkdtemp(join(tmpdir(), 'minke-mosquitto-'));
  const passwords = join(dir, 'passwd');
  await writeFile(passwords, '', { mode: 0o600 });
  await writeFile(join(dir, 'acl'), mosquittoAcl(prefix), { mode: 0o600 });
  const port = await freePort();
  const config = [
    `listener ${port} 127.0.0.1`,
    'allow_anonymous false',
    `password_file ${passwords}`,
    `acl_file ${join(dir, 'acl')}`,
    'use_username_as_clientid true',
    'persistence false',
    ...(process.getuid?.() === 0 ? ['user root'] : []),
    'log_dest none',
    '',
  ].join('\n');
  await writeFile(join(dir, 'mosquitto.conf'), config);
  const child: ChildProcess = spawn('mosquitto', ['-c', join(dir, 'mosquitto.conf')], {
    stdio: 'ignore',
  });
  const url = `mqtt://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await gone;
      clearTimeout(timer);
    }
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await waitForListener(url, 5000);
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    url,
    async addUser(name, password) {
      await run('mosquitto_passwd', ['-b', passwords, name, password], { timeout: 10_000 });
      child.kill('SIGHUP');
      await new Promise((resolve) => setTimeout(resolve, 200));
    },
    close: stop,
  };
}

/** True when `mosquitto` and `mosquitto_passwd` can be run. */
export async function mosquittoInstalled(): Promise<boolean> {
  try {
    await run('mosquitto_passwd', ['-h'], { timeout: 5000 }).catch((error: { code?: unknown }) => {
      if (error.code === 'ENOENT') throw error;
    });
    await run('mosquitto', ['-h'], { timeout: 5000 }).catch((error: { code?: unknown }) => {
      if (error.code === 'ENOENT') throw error;
    });
    return true;
  } catch {
    return false;
  }
}

async function waitForListener(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (let attempt = 0; attempt < 100; attempt++) {
    // Refused for want of credentials means it is up.
    const up = await new Promise<boolean>((resolve) => {
      const client = mqtt.connect(url, { reconnectPeriod: 0, connectTimeout: 500 });
      const finish = (value: boolean) => {
        client.end(true);
        resolve(value);
      };
      client.once('connect', () => finish(true));
      client.once('error', (error) => finish(/Not authorized|Bad user/i.test(error.message)));
      client.once('close', () => finish(false));
    });
    if (up) return;
    if (Date.now() > deadline) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`Mosquitto did not start on ${url}`);
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
