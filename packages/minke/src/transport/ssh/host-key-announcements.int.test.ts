import { readFileSync } from 'node:fs';
import ssh2 from 'ssh2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type SshdServer,
  sshdConnection,
  sshdUnavailableReason,
  startSshd,
} from '../../../test-support/sshd.js';
import { waitUntil } from '../../../test-support/wait-until.js';
import { SshTransport } from './ssh-transport.js';

const unavailable = sshdUnavailableReason();
/** What ssh2 sends, unasked, for every `hostkeys-00@openssh.com` announcement. */
const PROVE_REQUEST = 'hostkeys-prove-00@openssh.com';

describe.skipIf(unavailable !== undefined)("an OpenSSH server's host key announcement", () => {
  let sshd: SshdServer;
  // DEBUG1: sshd logs the name of every global request a client sends.
  beforeAll(async () => (sshd = await startSshd({ logLevel: 'DEBUG1' })));
  afterAll(() => sshd?.stop());
  const log = () => readFileSync(sshd.logFile, 'utf8');
  const disconnects = () => log().split('Received disconnect').length - 1;

  it('is acknowledged without asking the server to sign with each key (ssh2 alone asks)', async () => {
    const ssh = new SshTransport(sshdConnection(sshd));
    expect((await ssh.exec('echo announced')).stdout).toBe('announced\n');
    await ssh.close();
    // The connection's end is logged after every request it sent.
    await waitUntil(() => disconnects() === 1);
    expect(log()).not.toContain(PROVE_REQUEST);

    // The control: ssh2's own client, on the same server, asks for the proofs.
    const client = new ssh2.Client();
    client.on('error', () => undefined);
    await new Promise<void>((resolve, reject) => {
      client.once('ready', resolve).once('error', reject);
      client.connect({
        host: sshd.host,
        port: sshd.port,
        username: sshd.user,
        privateKey: readFileSync(sshd.clientKeyPath),
        readyTimeout: 10_000,
      });
    });
    try {
      await waitUntil(() => log().includes(PROVE_REQUEST));
    } finally {
      client.end();
    }
  });
});
