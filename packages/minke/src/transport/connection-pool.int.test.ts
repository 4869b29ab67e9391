import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type SshdServer,
  sshdConnection,
  sshdUnavailableReason,
  startSshd,
} from '../../test-support/sshd.js';
import { ConnectionPool } from './connection-pool.js';
import { SshTransport } from './ssh/ssh-transport.js';

const unavailable = sshdUnavailableReason();

describe.skipIf(unavailable !== undefined)('ConnectionPool with SSH', () => {
  let sshd: SshdServer;
  beforeAll(async () => {
    sshd = await startSshd();
  });
  afterAll(() => sshd?.stop());

  /** The client side port of the SSH connection a command ran on. */
  const clientPort = (stdout: string) => stdout.trim().split(' ')[1];

  it('reuses one connection for the sequential commands of several sessions', async () => {
    const pool = new ConnectionPool();
    let created = 0;
    const create = () => {
      created += 1;
      return new SshTransport(sshdConnection(sshd));
    };
    try {
      const sessionA = pool.transportFor('host-1', create);
      const sessionB = pool.transportFor('host-1', create);
      const ports = new Set<string | undefined>();
      for (const session of [sessionA, sessionB, sessionA, sessionB]) {
        ports.add(clientPort((await session.exec('echo $SSH_CONNECTION')).stdout));
      }
      expect(created).toBe(1);
      expect(ports.size).toBe(1);
    } finally {
      await pool.closeAll();
    }
  });

  it('runs 20 concurrent commands on one connection with 8 channels at most', async () => {
    const pool = new ConnectionPool({ maxChannels: 8 });
    const c = pool.transportFor('host-1', () => new SshTransport(sshdConnection(sshd)));
    try {
      // Each command notes itself in a shared folder while it runs; the most seen at once is
      // the number of channels in use.
      const dir = `${sshd.dir}/channels`;
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          c.exec(
            `mkdir -p ${dir}; touch ${dir}/${i}; ls ${dir} | wc -l; sleep 0.3; rm ${dir}/${i}; echo $SSH_CONNECTION`,
          ),
        ),
      );
      expect(results.every((r) => r.exitCode === 0)).toBe(true);
      const concurrent = results.map((r) => Number(r.stdout.split('\n')[0]));
      expect(Math.max(...concurrent)).toBeLessThanOrEqual(8);
      expect(Math.max(...concurrent)).toBeGreaterThan(1);
      expect(new Set(results.map((r) => clientPort(r.stdout.split('\n')[1] ?? ''))).size).toBe(1);
    } finally {
      await pool.closeAll();
    }
  });

  it('closes an idle connection and opens a new one for the next command', async () => {
    const pool = new ConnectionPool({ idleTimeoutMs: 100 });
    const c = pool.transportFor('host-1', () => new SshTransport(sshdConnection(sshd)));
    try {
      const first = clientPort((await c.exec('echo $SSH_CONNECTION')).stdout);
      for (let i = 0; i < 40 && c.connected; i++)
        await new Promise((resolve) => setTimeout(resolve, 50));
      expect(c.connected).toBe(false);
      const second = clientPort((await c.exec('echo $SSH_CONNECTION')).stdout);
      expect(second).not.toBe(first);
    } finally {
      await pool.closeAll();
    }
  });
});
