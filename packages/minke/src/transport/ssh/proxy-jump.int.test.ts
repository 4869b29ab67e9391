import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type SshdServer,
  sshdConnection,
  sshdUnavailableReason,
  startSshdPair,
} from '../../../test-support/sshd.js';
import { resolveConnectionConfig } from '../config/resolve-connection.js';
import { SshTransport } from './ssh-transport.js';

const unavailable = sshdUnavailableReason();

describe.skipIf(unavailable !== undefined)('ProxyJump through a jump host', () => {
  let jump: SshdServer;
  let target: SshdServer;
  let stop: () => Promise<void>;
  beforeAll(async () => {
    ({ jump, target, stop } = await startSshdPair());
  });
  afterAll(() => stop?.());

  it('runs a command on the target through the jump host', async () => {
    const transport = new SshTransport(sshdConnection(target, { proxyJump: sshdConnection(jump) }));
    try {
      const result = await transport.exec('echo "$SSH_CONNECTION"');
      // The target sees the connection coming in on its own port ...
      expect(result.stdout.trim().split(' ')[3]).toBe(String(target.port));
      // ... and the jump host logged the forwarding to it.
      const log = await readFile(jump.logFile, 'utf8');
      expect(log).toMatch(new RegExp(`direct_tcpip.*target 127\\.0\\.0\\.1 port ${target.port}`));
    } finally {
      await transport.close();
    }
  });

  it('checks the jump host key too', async () => {
    const transport = new SshTransport(
      sshdConnection(target, {
        proxyJump: sshdConnection(jump, { knownHostsFiles: [target.knownHostsFile] }),
      }),
    );
    await expect(transport.connect()).rejects.toMatchObject({ reason: 'host_key_unknown' });
  });

  it('reports a target the jump host cannot reach', async () => {
    const transport = new SshTransport(
      sshdConnection(target, { port: 1, proxyJump: sshdConnection(jump) }),
    );
    const error = await transport.connect().catch((e: unknown) => e);
    expect(error).toMatchObject({ reason: 'connection_refused' });
    expect((error as Error).message).toContain('via jump host');
  });

  it('honours an OpenSSH config: aliases, keys, known_hosts and ProxyJump', async () => {
    const knownHosts = join(jump.dir, 'both_known_hosts');
    await writeFile(knownHosts, `${jump.knownHostsLine}\n${target.knownHostsLine}\n`);
    const sshConfigFile = join(jump.dir, 'ssh_config');
    const block = (alias: string, server: SshdServer, extra: string[] = []) => [
      `Host ${alias}`,
      `  HostName ${server.host}`,
      `  Port ${server.port}`,
      `  User ${server.user}`,
      `  IdentityFile ${jump.clientKeyPath}`,
      `  UserKnownHostsFile ${knownHosts}`,
      ...extra.map((line) => `  ${line}`),
    ];
    await writeFile(
      sshConfigFile,
      [
        ...block('minke-target', target, ['ProxyJump minke-jump']),
        ...block('minke-jump', jump),
      ].join('\n'),
    );
    const config = await resolveConnectionConfig({
      name: 'minke-target',
      project: { sshConfigFile, agent: false },
    });
    expect(config.proxyJump?.port).toBe(jump.port);
    const transport = new SshTransport(config);
    try {
      const result = await transport.exec('echo "$SSH_CONNECTION"');
      expect(result.stdout.trim().split(' ')[3]).toBe(String(target.port));
    } finally {
      await transport.close();
    }
  });
});
