/**
 * Starts a real OpenSSH server for integration tests: 127.0.0.1 only, a free unprivileged port,
 * fresh host and client keys in a temp folder, logs in that folder, and nothing outside it
 * touched except creating sshd's privilege separation folder when it is missing.
 *
 * @example
 *   const sshd = await startSshd();
 *   const ssh = new SshTransport(sshdConnection(sshd));
 *   ...
 *   await sshd.stop();
 */
import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePorts, stopProcess, waitUntilSshdReady } from './sshd-process.js';
import { ed25519KeyPair } from './ssh2-keys.js';
import type { ResolvedConnectionConfig } from '../src/transport/config/connection-config.js';
import { fingerprintOf } from '../src/transport/ssh/host-keys/host-key.js';

const run = promisify(execFile);

export const sshdPath = '/usr/sbin/sshd';
const host = '127.0.0.1';

/** Why the sshd suites cannot run here, or undefined when they can. */
export function sshdUnavailableReason(): string | undefined {
  if (!existsSync(sshdPath)) return `${sshdPath} is missing (install openssh-server)`;
  if (process.platform !== 'linux') return 'the sshd harness is written for Linux';
  return undefined;
}

export interface SshdOptions {
  /** How many ports to listen on (each its own ListenAddress line); 1 by default. */
  ports?: number;
  /** Also authorize the client keys of this server (e.g. a jump host and its target). */
  trustClientsOf?: SshdServer;
  /** Allow password logins (for a user that has a password; see `passwordTestUser`). */
  passwordAuthentication?: boolean;
  /** More sshd_config lines (later lines do not override earlier ones in sshd_config). */
  extraConfig?: string[];
  /** sshd LogLevel; VERBOSE by default, DEBUG1 also logs port forwardings. */
  logLevel?: 'VERBOSE' | 'DEBUG1';
}

export interface SshdServer {
  host: string;
  /** The first port; `ports` lists all of them. */
  port: number;
  ports: number[];
  /** `SHA256:...` of the host key, as OpenSSH prints it. */
  hostKeyFingerprint: string;
  /** known_hosts line for the first port. */
  knownHostsLine: string;
  /** A known_hosts file naming this server on every port. */
  knownHostsFile: string;
  clientKeyPath: string;
  encryptedClientKeyPath: string;
  /** Passphrase of `encryptedClientKeyPath`. */
  passphrase: string;
  /** Public keys authorized on this server. */
  authorizedKeys: string[];
  /** The user tests log in as: the one running the tests. */
  user: string;
  dir: string;
  logFile: string;
  stop: () => Promise<void>;
}

const startAttempts = 3;

export async function startSshd(options: SshdOptions = {}): Promise<SshdServer> {
  const unavailable = sshdUnavailableReason();
  if (unavailable) throw new Error(unavailable);
  const dir = await mkdtemp(join(tmpdir(), 'minke-sshd-'));
  // Other users (a sudo test user) must be able to reach authorized_keys; private keys stay 0600.
  await chmod(dir, 0o755);
  await ensurePrivilegeSeparationDir();
  const hostKey = await keygen(join(dir, 'host_ed25519'), 'minke-test-host');
  const clientKeyPath = join(dir, 'client_ed25519');
  const clientPublic = await keygen(clientKeyPath, 'minke-test-client');
  const passphrase = randomBytes(12).toString('hex');
  const encryptedClientKeyPath = join(dir, 'client_encrypted_ed25519');
  // Generated in-process so that the passphrase never appears on a command line.
  const encrypted = ed25519KeyPair({
    passphrase,
    cipher: 'aes256-ctr',
    comment: 'minke-test-enc',
  });
  await writeFile(encryptedClientKeyPath, encrypted.private, { mode: 0o600 });
  const authorizedKeys = [
    clientPublic,
    encrypted.public,
    ...(options.trustClientsOf?.authorizedKeys ?? []),
  ];
  await writeFile(join(dir, 'authorized_keys'), `${authorizedKeys.join('\n')}\n`, { mode: 0o644 });

  let lastError: unknown;
  for (let attempt = 1; attempt <= startAttempts; attempt++) {
    const ports = await freePorts(options.ports ?? 1);
    const configFile = join(dir, 'sshd_config');
    await writeFile(configFile, sshdConfig(dir, ports, options));
    await run(sshdPath, ['-t', '-f', configFile]);
    const logFile = join(dir, `sshd-${attempt}.log`);
    const child = spawn(sshdPath, ['-D', '-f', configFile, '-E', logFile], { stdio: 'ignore' });
    try {
      await waitUntilSshdReady(child, ports);
    } catch (error) {
      lastError = error;
      await stopProcess(child);
      continue;
    }
    const [keyType = '', keyBase64 = ''] = hostKey.split(' ');
    const lines = ports.map((port) => `[${host}]:${port} ${keyType} ${keyBase64}`);
    const knownHostsFile = join(dir, 'known_hosts');
    await writeFile(knownHostsFile, `${lines.join('\n')}\n`);
    const stopOnExit = () => child.kill('SIGKILL');
    process.once('exit', stopOnExit);
    return {
      host,
      port: ports[0]!,
      ports,
      hostKeyFingerprint: fingerprintOf(Buffer.from(keyBase64, 'base64')),
      knownHostsLine: lines[0]!,
      knownHostsFile,
      clientKeyPath,
      encryptedClientKeyPath,
      passphrase,
      authorizedKeys,
      user: userInfo().username,
      dir,
      logFile,
      stop: async () => {
        process.removeListener('exit', stopOnExit);
        await stopProcess(child);
        await rm(dir, { recursive: true, force: true });
      },
    };
  }
  await rm(dir, { recursive: true, force: true });
  throw new Error(`sshd did not start after ${startAttempts} attempts: ${String(lastError)}`);
}

/** A jump host and a target that trusts the same client keys (connect to `target` via `jump`). */
export async function startSshdPair(): Promise<{
  jump: SshdServer;
  target: SshdServer;
  stop: () => Promise<void>;
}> {
  // DEBUG1 makes the jump host log each forwarding, so a test can see the hop was used.
  const jump = await startSshd({ logLevel: 'DEBUG1' });
  const target = await startSshd({ trustClientsOf: jump });
  return { jump, target, stop: async () => void (await Promise.all([jump.stop(), target.stop()])) };
}

/**
 * A connection config for the test server: its client key, its known_hosts file, no agent and
 * no ssh_config of the machine, short timeouts.
 */
export function sshdConnection(
  server: SshdServer,
  overrides: Partial<ResolvedConnectionConfig> = {},
): ResolvedConnectionConfig {
  return {
    transport: 'ssh',
    hostname: server.host,
    port: server.port,
    user: server.user,
    identityFiles: [server.clientKeyPath],
    agent: false,
    strictHostKeyChecking: 'yes',
    knownHostsFiles: [server.knownHostsFile],
    connectTimeoutMs: 5_000,
    commandTimeoutMs: 0,
    keepaliveIntervalMs: 5_000,
    keepaliveCountMax: 3,
    pty: false,
    env: {},
    sudo: {},
    maxChannels: 8,
    idleTimeoutMs: 60_000,
    ...overrides,
  };
}

function sshdConfig(dir: string, ports: number[], options: SshdOptions): string {
  return [
    ...ports.map((port) => `ListenAddress ${host}:${port}`),
    `HostKey ${join(dir, 'host_ed25519')}`,
    `PidFile ${join(dir, 'sshd.pid')}`,
    `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
    'PermitRootLogin yes',
    `PasswordAuthentication ${options.passwordAuthentication ? 'yes' : 'no'}`,
    'KbdInteractiveAuthentication no',
    // No PAM: nothing of the machine's login stack (or its lockouts) gets involved.
    'UsePAM no',
    'StrictModes no',
    'MaxStartups 100:30:200',
    'MaxSessions 10',
    'MaxAuthTries 10',
    `LogLevel ${options.logLevel ?? 'VERBOSE'}`,
    'PrintMotd no',
    'AllowTcpForwarding yes',
    'Subsystem sftp internal-sftp',
    ...(options.extraConfig ?? []),
    '',
  ].join('\n');
}

/** sshd refuses to start without it; a fresh container often lacks it. */
async function ensurePrivilegeSeparationDir(): Promise<void> {
  if (process.getuid?.() !== 0) return;
  await mkdir('/run/sshd', { recursive: true, mode: 0o755 });
}

/** Generates a key pair without passphrase and returns the public line. */
async function keygen(path: string, comment: string): Promise<string> {
  await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', comment, '-f', path]);
  return (await readFile(`${path}.pub`, 'utf8')).trim();
}
