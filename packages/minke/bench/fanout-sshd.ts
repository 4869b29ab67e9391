// The fan-out benchmark's own OpenSSH server: 127.0.0.1 only, several listen ports, fresh keys in
// a temp folder, tuned for many connections at once. (test-support/sshd.ts serves the test suites;
// it imports ssh2 in a way only vitest resolves, and caps MaxStartups at 100:30:200.)
import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePorts, stopProcess, waitUntilSshdReady } from '../test-support/sshd-process.js';
import { lowerCpuWeight, type CpuWeight } from './cpu-weight.js';

const run = promisify(execFile);
const sshdPath = '/usr/sbin/sshd';
const address = '127.0.0.1';
/** A port found free may be taken before sshd binds it; then start again on new ports. */
const startAttempts = 3;

export interface BenchSshd {
  host: string;
  ports: number[];
  /** The listening sshd; it forks (and reaps) one process tree per connection. */
  pid: number | undefined;
  user: string;
  clientKeyPath: string;
  /** The host key's public blob, as ssh2 hands it to `hostVerifier`. */
  hostKey: Buffer;
  /** Names the server on every port. */
  knownHostsFile: string;
  /** How sshd was made to yield the CPU (with `nice`), for the report. */
  yielding: string | undefined;
  stop: () => Promise<void>;
}

export interface BenchSshdOptions {
  ports: number;
  /** Connections that may be mid-handshake at once before sshd starts dropping new ones. */
  maxStartups: number;
  /** Let bash read the login user's ~/.bashrc for every command, as it does by default under
   * sshd; off, the benchmark measures SSH and not what that file runs. */
  shellRc: boolean;
  /** Entries for other hosts to put in the known_hosts file first, as in a fleet's file. */
  otherKnownHosts: number;
  /** Niceness of sshd and of every process it forks (0 to 19); above 0 the hosts' side yields
   * the CPU to Minke, as hosts on other machines would. */
  nice?: number | undefined;
}

export async function startBenchSshd(options: BenchSshdOptions): Promise<BenchSshd> {
  if (!existsSync(sshdPath)) throw new Error(`${sshdPath} is missing (install openssh-server)`);
  const dir = await mkdtemp(join(tmpdir(), 'minke-bench-sshd-'));
  try {
    return await startIn(dir, options);
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}

async function startIn(dir: string, options: BenchSshdOptions): Promise<BenchSshd> {
  // sshd refuses to start as root without its privilege separation folder.
  if (process.getuid?.() === 0) await mkdir('/run/sshd', { recursive: true, mode: 0o755 });
  const hostPublic = await keygen(join(dir, 'host_ed25519'));
  const clientKeyPath = join(dir, 'client_ed25519');
  await writeFile(join(dir, 'authorized_keys'), `${await keygen(clientKeyPath)}\n`, {
    mode: 0o600,
  });
  const [keyType = '', keyBase64 = ''] = hostPublic.split(' ');

  let lastError: unknown;
  for (let attempt = 1; attempt <= startAttempts; attempt++) {
    const ports = await freePorts(options.ports);
    const configFile = join(dir, 'sshd_config');
    await writeFile(configFile, sshdConfig(dir, ports, options));
    await run(sshdPath, ['-t', '-f', configFile]);
    const child = spawn(sshdPath, ['-D', '-f', configFile, '-E', join(dir, 'sshd.log')], {
      stdio: 'ignore',
    });
    // Its connections' processes are forked from it and keep its niceness and cgroup.
    const weight: CpuWeight | undefined =
      options.nice && child.pid !== undefined
        ? lowerCpuWeight(child.pid, options.nice, 'minke-bench-sshd')
        : undefined;
    // Should the benchmark die without cleaning up, sshd must not outlive it.
    const killOnExit = () => child.kill('SIGKILL');
    process.once('exit', killOnExit);
    try {
      await waitUntilSshdReady(child, ports);
    } catch (error) {
      lastError = error;
      process.removeListener('exit', killOnExit);
      await stopProcess(child);
      weight?.release();
      continue;
    }
    const knownHostsFile = join(dir, 'known_hosts');
    const lines = ports.map((port) => `[${address}]:${port} ${keyType} ${keyBase64}`);
    const others = otherHostLines(options.otherKnownHosts, keyType);
    await writeFile(knownHostsFile, `${[...others, ...lines].join('\n')}\n`);
    return {
      host: address,
      ports,
      pid: child.pid,
      user: userInfo().username,
      clientKeyPath,
      hostKey: Buffer.from(keyBase64, 'base64'),
      knownHostsFile,
      yielding: weight?.description,
      stop: async () => {
        process.removeListener('exit', killOnExit);
        await stopProcess(child);
        weight?.release();
        await rm(dir, { recursive: true, force: true });
      },
    };
  }
  throw new Error(`sshd did not start after ${startAttempts} attempts: ${String(lastError)}`);
}

function sshdConfig(dir: string, ports: number[], options: BenchSshdOptions): string {
  return [
    ...ports.map((port) => `ListenAddress ${address}:${port}`),
    `HostKey ${join(dir, 'host_ed25519')}`,
    `PidFile ${join(dir, 'sshd.pid')}`,
    `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
    'PermitRootLogin prohibit-password',
    'PubkeyAuthentication yes',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    // Nothing of the machine's login stack: PAM would add its own cost to every connection.
    'UsePAM no',
    'StrictModes no',
    // The default 10:30:100 drops connections past 10 in the handshake.
    `MaxStartups ${options.maxStartups}`,
    // bash sources ~/.bashrc for a command sshd runs unless it sees itself nested (SHLVL >= 1);
    // a heavy .bashrc (pyenv, nvm, ...) would otherwise cost more CPU than SSH itself.
    ...(options.shellRc ? [] : ['SetEnv SHLVL=1']),
    'LogLevel INFO',
    'PrintMotd no',
    'PrintLastLog no',
    'AllowTcpForwarding no',
    'X11Forwarding no',
    '',
  ].join('\n');
}

/** `count` known_hosts lines for addresses in 10.0.0.0/8, each with a key of its own. */
function otherHostLines(count: number, keyType: string): string[] {
  return Array.from({ length: count }, (_, i) => {
    const address = `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
    return `${address} ${keyType} ${randomBytes(51).toString('base64')}`;
  });
}

/** Generates an ed25519 key pair without passphrase; returns the public key line. */
async function keygen(path: string): Promise<string> {
  await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'minke-bench', '-f', path]);
  return (await readFile(`${path}.pub`, 'utf8')).trim();
}
