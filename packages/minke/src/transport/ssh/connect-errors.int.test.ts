import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type SshdServer,
  sshdConnection,
  sshdUnavailableReason,
  startSshd,
} from '../../../test-support/sshd.js';
import { SshTransport } from './ssh-transport.js';

const unavailable = sshdUnavailableReason();

/** Listens on 127.0.0.1 and never says a word: a host that hangs in the handshake. */
async function silentServer(): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => sockets.add(socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    port,
    close: () => {
      sockets.forEach((socket) => socket.destroy());
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** A port that was free a moment ago: nothing listens there. */
async function closedPort(): Promise<number> {
  const server = await silentServer();
  await server.close();
  return server.port;
}

describe.skipIf(unavailable !== undefined)('connection failures', () => {
  let sshd: SshdServer;
  beforeAll(async () => {
    sshd = await startSshd();
  });
  afterAll(() => sshd?.stop());

  it('reports a closed port as connection refused', async () => {
    const port = await closedPort();
    const error = await new SshTransport(sshdConnection(sshd, { port }))
      .connect()
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ reason: 'connection_refused' });
    expect((error as Error).message).toBe(`${sshd.user}@[127.0.0.1]:${port}: connection refused`);
  });

  it('times out a host that never answers, within the connect timeout', async () => {
    const silent = await silentServer();
    try {
      // the silent server never closes the connection: only the connect timeout ends the wait
      const transport = new SshTransport(
        sshdConnection(sshd, { port: silent.port, connectTimeoutMs: 500 }),
      );
      const error = await transport.connect().catch((e: unknown) => e);
      expect(error).toMatchObject({ reason: 'timeout' });
      expect((error as Error).message).toContain('connection timed out');
    } finally {
      await silent.close();
    }
  });

  it('reports a failing exec connect per command, and works once the host is back', async () => {
    const port = await closedPort();
    const transport = new SshTransport(sshdConnection(sshd, { port }));
    await expect(transport.exec('true')).rejects.toMatchObject({ reason: 'connection_refused' });
    await expect(transport.exec('true')).rejects.toMatchObject({ reason: 'connection_refused' });
    await transport.close();
  });
});
