import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type SshdServer,
  sshdConnection,
  sshdUnavailableReason,
  startSshd,
} from '../../../test-support/sshd.js';
import { passwordTestUser, sudoUnavailableReason } from '../../../test-support/sudo-user.js';
import { shellQuote } from '../../util/shell-quote.js';
import { TransportError } from '../transport-error.js';
import { SshTransport } from './ssh-transport.js';

/**
 * put/get over SFTP against a real sshd on loopback. The "remote" files live in a temporary
 * folder of this machine (the sshd is local), so the tests check them both over SSH and directly.
 */
const unavailable = sshdUnavailableReason();

describe.skipIf(unavailable !== undefined)('put and get over SFTP', () => {
  let sshd: SshdServer;
  let ssh: SshTransport;
  let remote: string;
  let local: string;
  const target = () => `${sshd.user}@[127.0.0.1]:${sshd.port}`;

  beforeAll(async () => {
    sshd = await startSshd();
    ssh = new SshTransport(sshdConnection(sshd));
    remote = await mkdtemp(join(tmpdir(), 'minke-sftp-remote-'));
    local = await mkdtemp(join(tmpdir(), 'minke-sftp-local-'));
  });
  afterAll(async () => {
    await ssh?.close();
    await sshd?.stop();
    await rm(remote, { recursive: true, force: true });
    await rm(local, { recursive: true, force: true });
  });

  const cat = async (path: string) => (await ssh.exec(`cat ${shellQuote(path)}`)).stdout;
  const modeOf = async (path: string) =>
    (await ssh.exec(`stat -c %a ${shellQuote(path)}`)).stdout.trim();

  it('puts text, bytes and a local file, and reads them back with cat and get', async () => {
    const text = await ssh.put({ content: 'grüße\n' }, `${remote}/text.txt`);
    expect(text).toMatchObject({ direction: 'put', remotePath: `${remote}/text.txt`, bytes: 8 });
    expect(await cat(`${remote}/text.txt`)).toBe('grüße\n');

    const bytes = Buffer.from([0, 1, 2, 255, 10]);
    await ssh.put(bytes, `${remote}/bytes.bin`);
    expect((await ssh.get(`${remote}/bytes.bin`)).data).toEqual(bytes);

    const big = randomBytes(3 * 1024 * 1024 + 17); // several SFTP packets
    const source = join(local, 'big.bin');
    await writeFile(source, big);
    const put = await ssh.put(source, `${remote}/big.bin`);
    expect(put).toMatchObject({ bytes: big.length, localPath: source });
    const got = await ssh.get(`${remote}/big.bin`, { localPath: join(local, 'big-back.bin') });
    expect(got).toMatchObject({ direction: 'get', bytes: big.length });
    expect((await readFile(join(local, 'big-back.bin'))).equals(big)).toBe(true);
  });

  it('gives the file exactly the mode asked for, new or existing', async () => {
    await ssh.put({ content: 'a' }, `${remote}/wide.txt`, { mode: 0o666 });
    expect(await modeOf(`${remote}/wide.txt`)).toBe('666'); // not narrowed by the umask
    await ssh.exec(`printf old > ${remote}/secret.txt; chmod 644 ${remote}/secret.txt`);
    await ssh.put({ content: 'token' }, `${remote}/secret.txt`, { mode: 0o600 });
    expect(await modeOf(`${remote}/secret.txt`)).toBe('600');
    expect(await cat(`${remote}/secret.txt`)).toBe('token');
  });

  it("keeps a local file's mode unless told otherwise, as Fabric does", async () => {
    const script = join(local, 'tool.sh');
    await writeFile(script, '#!/bin/sh\necho ok\n');
    await chmod(script, 0o750);
    const put = await ssh.put(script, `${remote}/tool.sh`);
    expect(put.mode).toBe(0o750);
    expect(await modeOf(`${remote}/tool.sh`)).toBe('750');
    expect((await ssh.exec(`${remote}/tool.sh`)).stdout).toBe('ok\n');

    await ssh.put(script, `${remote}/asked.sh`, { mode: 0o600 }); // `mode` wins
    expect(await modeOf(`${remote}/asked.sh`)).toBe('600');
    await ssh.exec(`printf x > ${remote}/kept.sh; chmod 640 ${remote}/kept.sh`);
    const left = await ssh.put(script, `${remote}/kept.sh`, { preserveMode: false });
    expect(left.mode).toBeUndefined();
    expect(await modeOf(`${remote}/kept.sh`)).toBe('640'); // the server's bits stay
  });

  it('handles paths with spaces, quotes and shell characters', async () => {
    const path = `${remote}/it's a "file" $HOME; ls.txt`;
    await ssh.put({ content: 'odd name\n' }, path);
    expect(await cat(path)).toBe('odd name\n');
    expect((await ssh.get(path)).data?.toString()).toBe('odd name\n');
    const back = join(local, `back 'quoted'.txt`);
    await ssh.get(path, { localPath: back });
    expect(await readFile(back, 'utf8')).toBe('odd name\n');
  });

  it('says clearly when the remote file does not exist, and leaves the local file alone', async () => {
    const keep = join(local, 'keep.txt');
    await writeFile(keep, 'precious');
    const error = await ssh
      .get(`${remote}/missing.txt`, { localPath: keep })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransportError);
    expect((error as TransportError).reason).toBe('no_such_file');
    expect((error as Error).message).toBe(
      `${target()}: no such file or directory (get ${remote}/missing.txt)`,
    );
    expect(await readFile(keep, 'utf8')).toBe('precious');
    await expect(ssh.put({ content: 'x' }, `${remote}/no/such/dir/file`)).rejects.toThrow(
      `${target()}: no such file or directory (put ${remote}/no/such/dir/file)`,
    );
  });

  it('never truncates the remote file when the local source is missing', async () => {
    await ssh.put({ content: 'keep me' }, `${remote}/target.txt`);
    await expect(ssh.put(join(local, 'nope.txt'), `${remote}/target.txt`)).rejects.toThrow(
      `local: no such file or directory (put source ${join(local, 'nope.txt')})`,
    );
    expect(await cat(`${remote}/target.txt`)).toBe('keep me');
  });

  it('puts a file into a remote directory under its own name, and refuses to get a directory', async () => {
    const source = join(local, 'named.conf');
    await writeFile(source, 'named');
    const put = await ssh.put(source, remote);
    expect(put.remotePath).toBe(`${remote}/named.conf`);
    expect(await cat(`${remote}/named.conf`)).toBe('named');
    await expect(ssh.get(remote)).rejects.toThrow(
      `${target()}: file transfer failed (get ${remote}: is a directory)`,
    );
    await expect(ssh.put({ content: 'x' }, remote)).rejects.toThrow(/is a directory/);
  });

  it('refuses to read more than maxBytes into memory', async () => {
    await ssh.put(Buffer.alloc(2048), `${remote}/two-k.bin`);
    await expect(ssh.get(`${remote}/two-k.bin`, { maxBytes: 1024 })).rejects.toThrow(
      /larger than 1024 bytes; give a local path/,
    );
  });

  it('takes ~/ paths relative to the login directory', async () => {
    const name = `minke-sftp-${randomBytes(4).toString('hex')}.txt`;
    try {
      await ssh.put({ content: 'home' }, `~/${name}`);
      expect((await ssh.exec(`cat "$HOME"/${name}`)).stdout).toBe('home');
      expect((await ssh.get(`~/${name}`)).data?.toString()).toBe('home');
    } finally {
      await ssh.exec(`rm -f "$HOME"/${name}`);
    }
  });

  it('ends at once when killed', async () => {
    const controller = new AbortController();
    controller.abort();
    const error = await ssh
      .put(randomBytes(1024), `${remote}/killed.bin`, { killSignal: controller.signal })
      .catch((e: unknown) => e);
    expect((error as Error).message).toBe(
      `${target()}: file transfer failed (put ${remote}/killed.bin: killed)`,
    );
    // The connection is still good for the next command.
    expect((await ssh.exec('echo alive')).stdout).toBe('alive\n');
  });

  const sudoMissing = sudoUnavailableReason();
  it.skipIf(sudoMissing !== undefined)(
    'says permission denied for a user without rights',
    async () => {
      const account = passwordTestUser();
      if (typeof account === 'string') throw new Error(account);
      const limited = new SshTransport(sshdConnection(sshd, { user: account.user }));
      try {
        const error = await limited.get('/etc/shadow').catch((e: unknown) => e);
        expect((error as TransportError).reason).toBe('permission_denied');
        expect((error as Error).message).toBe(
          `${account.user}@[127.0.0.1]:${sshd.port}: permission denied (get /etc/shadow)`,
        );
        await expect(limited.put({ content: 'x' }, '/etc/minke-denied')).rejects.toThrow(
          'permission denied (put /etc/minke-denied)',
        );
      } finally {
        await limited.close();
      }
    },
  );
});
