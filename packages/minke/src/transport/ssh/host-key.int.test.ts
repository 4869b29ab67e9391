import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type SshdServer,
  sshdConnection,
  sshdUnavailableReason,
  startSshd,
} from '../../../test-support/sshd.js';
import type { TransportError } from '../transport-error.js';
import { SshTransport } from './ssh-transport.js';

const unavailable = sshdUnavailableReason();

describe.skipIf(unavailable !== undefined)('host key checking against OpenSSH sshd', () => {
  let sshd: SshdServer;
  /** Another server: its host key stands in for "the key changed". */
  let impostor: SshdServer;
  let dir: string;
  beforeAll(async () => {
    [sshd, impostor] = await Promise.all([startSshd(), startSshd()]);
    dir = await mkdtemp(join(tmpdir(), 'minke-hostkey-'));
  });
  afterAll(async () => {
    await Promise.all([sshd?.stop(), impostor?.stop()]);
    await rm(dir, { recursive: true, force: true });
  });

  async function connectError(transport: SshTransport): Promise<TransportError> {
    try {
      await transport.connect();
    } finally {
      await transport.close();
    }
    throw new Error('connected, but should not have');
  }

  it('accepts a known host key', async () => {
    const transport = new SshTransport(sshdConnection(sshd));
    await transport.connect();
    expect(transport.connected).toBe(true);
    await transport.close();
  });

  it('refuses an unknown host when strict (the default)', async () => {
    const file = join(dir, 'strict_known_hosts');
    const error = await connectError(
      new SshTransport(sshdConnection(sshd, { knownHostsFiles: [file] })),
    ).catch((e: unknown) => e);
    expect(error).toMatchObject({ reason: 'host_key_unknown' });
    expect((error as Error).message).toContain(`[127.0.0.1]:${sshd.port}: host key unknown`);
    expect((error as Error).message).toContain(sshd.hostKeyFingerprint);
  });

  it('accepts a new host with accept-new and records it in the first known_hosts file', async () => {
    const file = join(dir, 'new', 'known_hosts');
    const transport = new SshTransport(
      sshdConnection(sshd, {
        strictHostKeyChecking: 'accept-new',
        knownHostsFiles: [file, sshd.knownHostsFile + '.absent'],
      }),
    );
    expect((await transport.exec('echo ok')).stdout).toBe('ok\n');
    await transport.close();
    expect(await readFile(file, 'utf8')).toBe(`${sshd.knownHostsLine}\n`);
    // Now known: strict checking accepts it.
    const strict = new SshTransport(sshdConnection(sshd, { knownHostsFiles: [file] }));
    await strict.connect();
    await strict.close();
  });

  it('refuses a changed host key even with accept-new, naming host and fingerprint', async () => {
    const file = join(dir, 'changed_known_hosts');
    // The impostor answers on a port we know with the real server's key.
    await writeFile(
      file,
      `${sshd.knownHostsLine.replace(`:${sshd.port} `, `:${impostor.port} `)}\n`,
    );
    const before = await readFile(file, 'utf8');
    const transport = new SshTransport(
      sshdConnection(impostor, { strictHostKeyChecking: 'accept-new', knownHostsFiles: [file] }),
    );
    const error = await connectError(transport).catch((e: unknown) => e);
    expect(error).toMatchObject({ reason: 'host_key_mismatch' });
    const message = (error as Error).message;
    expect(message).toContain(`[127.0.0.1]:${impostor.port}: host key mismatch`);
    expect(message).toContain(impostor.hostKeyFingerprint);
    expect(message).not.toMatch(/\n\s+at /);
    expect(await readFile(file, 'utf8')).toBe(before);
  });

  it('knows a server that listens on several ports under each [host]:port name', async () => {
    const multi = await startSshd({ ports: 2 });
    try {
      expect(multi.ports).toHaveLength(2);
      const second = new SshTransport(sshdConnection(multi, { port: multi.ports[1] }));
      expect((await second.exec('echo ok')).stdout).toBe('ok\n');
      await second.close();
    } finally {
      await multi.stop();
    }
  });
});
