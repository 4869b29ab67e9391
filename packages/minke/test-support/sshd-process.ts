import type { ChildProcess } from 'node:child_process';
import { connect, createServer, type Server } from 'node:net';

/** sshd listens on loopback only, in tests and benchmarks alike. */
export const sshdAddress = '127.0.0.1';

const readyPolls = 100;
const readyPollMs = 50;
const stopWaitMs = 3_000;

/** Ports free on loopback now (bound, read, released), for sshd's ListenAddress lines. */
export async function freePorts(count: number): Promise<number[]> {
  const servers: Server[] = [];
  try {
    for (let i = 0; i < count; i++) {
      const server = createServer();
      servers.push(server);
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(0, sshdAddress, resolve);
      });
    }
    return servers.map((server) => {
      const bound = server.address();
      return typeof bound === 'object' && bound ? bound.port : 0;
    });
  } finally {
    await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  }
}

/** Ready means every port answers with an SSH banner. Bounded by readyPolls * readyPollMs. */
export async function waitUntilSshdReady(child: ChildProcess, ports: number[]): Promise<void> {
  for (let poll = 0; poll < readyPolls; poll++) {
    if (child.exitCode !== null) throw new Error(`sshd exited with code ${child.exitCode}`);
    if ((await Promise.all(ports.map(sendsBanner))).every(Boolean)) return;
    await new Promise((resolve) => setTimeout(resolve, readyPollMs));
  }
  throw new Error('sshd did not answer in time');
}

function sendsBanner(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: sshdAddress, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1_000, () => done(false));
    socket.once('data', (data) => done(data.toString('latin1').startsWith('SSH-')));
    socket.once('error', () => done(false));
  });
}

/** TERM, then KILL after a few seconds; resolves once the process is gone. */
export async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), stopWaitMs);
  await exited;
  clearTimeout(timer);
}
