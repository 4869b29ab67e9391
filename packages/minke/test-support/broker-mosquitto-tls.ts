import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { readOrCreateCertificates } from '../src/broker/generated-certificates.js';
import { mosquittoAcl } from './broker-mosquitto.js';
import { freePort } from './redis.js';

const run = promisify(execFile);

export interface TlsMosquitto {
  url: string;
  /** The CA file the broker's certificate chains to (what `mqtt.tls.caFile` names). */
  caFile: string;
  /** The PEM of the broker's server certificate. */
  serverCert: string;
  /** Adds (or changes) a user and makes the broker read its password file again. */
  addUser(name: string, password: string): Promise<void>;
  close(): Promise<void>;
}

/**
 * A Mosquitto of the test's own with a TLS listener only, on a free 127.0.0.1 port, configured
 * as docs/security.md says: a CA and server certificate (made by Minke's own generator, in a temp
 * folder), no anonymous clients, a password file, the agents' ACL, client id = user name.
 */
export async function startTlsMosquitto(prefix: string): Promise<TlsMosquitto> {
  const dir = await mkdtemp(join(tmpdir(), 'minke-mosquitto-tls-'));
  const tlsDir = join(dir, 'tls');
  const certificates = await readOrCreateCertificates(tlsDir, ['localhost', '127.0.0.1']);
  const passwords = join(dir, 'passwd');
  await writeFile(passwords, '', { mode: 0o600 });
  await writeFile(join(dir, 'acl'), mosquittoAcl(prefix), { mode: 0o600 });
  const port = await freePort();
  const config = [
    `listener ${port} 127.0.0.1`,
    `cafile ${join(tlsDir, 'ca.pem')}`,
    `certfile ${join(tlsDir, 'server.pem')}`,
    `keyfile ${join(tlsDir, 'server-key.pem')}`,
    'tls_version tlsv1.2',
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
  const close = async () => {
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
    await waitForPort(port, 5000);
  } catch (error) {
    await close();
    throw error;
  }
  return {
    url: `mqtts://127.0.0.1:${port}`,
    caFile: join(tlsDir, 'ca.pem'),
    serverCert: certificates.serverCert,
    async addUser(name, password) {
      await run('mosquitto_passwd', ['-b', passwords, name, password], { timeout: 10_000 });
      child.kill('SIGHUP');
      await new Promise((resolve) => setTimeout(resolve, 200));
    },
    close,
  };
}

/** Waits (bounded in attempts and time) until something accepts TCP connections on the port. */
async function waitForPort(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (let attempt = 0; attempt < 100 && Date.now() < deadline; attempt++) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`Mosquitto did not start on port ${port}`);
}
