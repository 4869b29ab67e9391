import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { sqliteBackend } from '../../test-support/databases.js';
import {
  type SshdServer,
  sshdConnection,
  sshdUnavailableReason,
  startSshd,
} from '../../test-support/sshd.js';
import { passwordTestUser } from '../../test-support/sudo-user.js';
import type { OpenedProject } from '../runtime/open-project.js';
import { SshTransport } from '../transport/ssh/ssh-transport.js';
import { CredentialStore } from './credential-store.js';
import { secretKeySource } from './secret-key.js';

/** Each kind of `{ credential }` reference, as the SSH transport uses it against a real sshd. */
const unavailable = sshdUnavailableReason();
const passwordUser = passwordTestUser();

describe.skipIf(unavailable !== undefined)('stored credentials at SSH login', () => {
  let sshd: SshdServer;
  let tmp: string;
  let project: OpenedProject;
  let store: CredentialStore;

  beforeAll(async () => {
    sshd = await startSshd({ passwordAuthentication: true });
    tmp = await mkdtemp(join(tmpdir(), 'minke-credential-auth-'));
  });
  afterAll(async () => {
    await sshd?.stop();
    await rm(tmp, { recursive: true, force: true });
  });
  beforeEach(async () => {
    project = await sqliteBackend().open([]);
    store = new CredentialStore(project.database, secretKeySource(tmp, {}));
  });
  afterEach(() => project.close());

  async function whoami(transport: SshTransport): Promise<string> {
    try {
      return (await transport.exec('id -un')).stdout.trim();
    } finally {
      await transport.close();
    }
  }

  it('decrypts an identity file with a stored passphrase', async () => {
    await store.create('deploy-pass', { type: 'password', password: sshd.passphrase }, null);
    const config = sshdConnection(sshd, {
      identityFiles: [sshd.encryptedClientKeyPath],
      passphrase: { credential: 'deploy-pass' },
      credentials: store.reader(),
    });
    expect(await whoami(new SshTransport(config))).toBe(sshd.user);
  });

  it('logs in with a stored key, its passphrase stored with it', async () => {
    const privateKey = await readFile(sshd.encryptedClientKeyPath, 'utf8');
    await store.create(
      'deploy',
      { type: 'ssh-key', privateKey, passphrase: sshd.passphrase },
      null,
    );
    const config = sshdConnection(sshd, {
      identityFiles: [],
      key: { credential: 'deploy' },
      credentials: store.reader(),
    });
    expect(await whoami(new SshTransport(config))).toBe(sshd.user);
  });

  it.skipIf(typeof passwordUser === 'string')('logs in with a stored password', async () => {
    if (typeof passwordUser === 'string') return;
    await store.create('login', { type: 'password', password: passwordUser.password }, null);
    const config = sshdConnection(sshd, {
      user: passwordUser.user,
      identityFiles: [],
      password: { credential: 'login' },
      credentials: store.reader(),
    });
    expect(await whoami(new SshTransport(config))).toBe(passwordUser.user);
  });

  it('refuses to connect with a clear message when the credential is of the wrong type', async () => {
    await store.create('login', { type: 'password', password: 'not-a-key-0099' }, null);
    const config = sshdConnection(sshd, {
      identityFiles: [],
      key: { credential: 'login' },
      credentials: store.reader(),
    });
    const error = await new SshTransport(config).connect().catch((e: unknown) => e);
    expect((error as Error).message).toContain('credential login is a password, not an SSH key');
    expect((error as Error).message).not.toContain('not-a-key-0099');
  });
});
