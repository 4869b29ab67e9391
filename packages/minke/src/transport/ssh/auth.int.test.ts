import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestAgent, startSshAgent } from '../../../test-support/ssh-agent.js';
import {
  type SshdServer,
  sshdConnection,
  sshdUnavailableReason,
  startSshd,
} from '../../../test-support/sshd.js';
import { passwordTestUser } from '../../../test-support/sudo-user.js';
import { SshTransport } from './ssh-transport.js';

const unavailable = sshdUnavailableReason();
const passwordUser = passwordTestUser();
if (typeof passwordUser === 'string')
  process.stderr.write(`password login test skipped: ${passwordUser}\n`);

describe.skipIf(unavailable !== undefined)('authentication against OpenSSH sshd', () => {
  let sshd: SshdServer;
  /** A server whose authorized key we do not have. */
  let stranger: SshdServer;
  let agent: TestAgent;
  let dir: string;
  const envName = `MINKE_TEST_PASSPHRASE_${process.pid}`;
  beforeAll(async () => {
    [sshd, stranger] = await Promise.all([
      startSshd({ passwordAuthentication: true }),
      startSshd(),
    ]);
    agent = await startSshAgent([sshd.clientKeyPath]);
    dir = await mkdtemp(join(tmpdir(), 'minke-auth-'));
    process.env[envName] = sshd.passphrase;
  });
  afterAll(async () => {
    delete process.env[envName];
    await agent?.stop();
    await Promise.all([sshd?.stop(), stranger?.stop()]);
    await rm(dir, { recursive: true, force: true });
  });

  async function whoami(transport: SshTransport): Promise<string> {
    try {
      return (await transport.exec('id -un')).stdout.trim();
    } finally {
      await transport.close();
    }
  }

  it('logs in with an identity file', async () => {
    expect(await whoami(new SshTransport(sshdConnection(sshd)))).toBe(sshd.user);
  });

  it('logs in with an encrypted key whose passphrase comes from the environment', async () => {
    const config = sshdConnection(sshd, {
      identityFiles: [sshd.encryptedClientKeyPath],
      passphrase: { env: envName },
    });
    expect(await whoami(new SshTransport(config))).toBe(sshd.user);
  });

  it('logs in with an encrypted key whose passphrase comes from a file', async () => {
    const file = join(dir, 'passphrase');
    await writeFile(file, `${sshd.passphrase}\n`, { mode: 0o600 });
    const config = sshdConnection(sshd, {
      identityFiles: [sshd.encryptedClientKeyPath],
      passphrase: { file },
    });
    expect(await whoami(new SshTransport(config))).toBe(sshd.user);
  });

  it('explains a missing passphrase without revealing anything', async () => {
    const config = sshdConnection(sshd, { identityFiles: [sshd.encryptedClientKeyPath] });
    const error = await new SshTransport(config).connect().catch((e: unknown) => e);
    expect(error).toMatchObject({ reason: 'auth_failed' });
    expect((error as Error).message).toContain('encrypted and no passphrase configured');
  });

  it('says which secret reference is missing, never a value', async () => {
    const config = sshdConnection(sshd, {
      identityFiles: [sshd.encryptedClientKeyPath],
      passphrase: { env: 'MINKE_TEST_UNSET_VAR' },
    });
    const error = await new SshTransport(config).connect().catch((e: unknown) => e);
    expect(error).toMatchObject({ reason: 'config' });
    expect((error as Error).message).toContain('MINKE_TEST_UNSET_VAR is not set');
  });

  it('logs in through an ssh-agent', async () => {
    const config = sshdConnection(sshd, { identityFiles: [], agent: agent.socket });
    expect(await whoami(new SshTransport(config))).toBe(sshd.user);
  });

  it('refuses a key the host does not authorize: authentication failed', async () => {
    const transport = new SshTransport(
      sshdConnection(stranger, { identityFiles: [sshd.clientKeyPath] }),
    );
    const error = await transport.connect().catch((e: unknown) => e);
    expect(error).toMatchObject({ reason: 'auth_failed' });
    expect((error as Error).message).toBe(
      `${stranger.user}@[127.0.0.1]:${stranger.port}: authentication failed (tried key ${sshd.clientKeyPath} as ${stranger.user})`,
    );
    expect(transport.connected).toBe(false);
  });

  it.skipIf(typeof passwordUser === 'string')(
    'logs in with a password from a secret file',
    async () => {
      if (typeof passwordUser === 'string') return;
      const file = join(dir, 'password');
      await writeFile(file, passwordUser.password, { mode: 0o600 });
      const config = sshdConnection(sshd, {
        user: passwordUser.user,
        identityFiles: [],
        password: { file },
      });
      expect(await whoami(new SshTransport(config))).toBe(passwordUser.user);
    },
  );
});
