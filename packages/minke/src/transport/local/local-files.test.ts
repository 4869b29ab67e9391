import { randomBytes } from 'node:crypto';
import { chmod, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TransportError } from '../transport-error.js';
import { LocalTransport } from './local-transport.js';

/** put/get of the local transport: the "host" is this machine, files are copied with node:fs. */
describe('LocalTransport put and get', () => {
  const local = new LocalTransport();
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'minke-local-files-'));
  });
  afterAll(async () => {
    await local.close();
    await rm(dir, { recursive: true, force: true });
  });
  const modeOf = async (path: string) => ((await stat(path)).mode & 0o777).toString(8);

  it('puts text, bytes and a file, and gets them back into memory and to a file', async () => {
    expect(await local.put({ content: 'grüße\n' }, join(dir, 'text.txt'))).toMatchObject({
      direction: 'put',
      bytes: 8,
    });
    expect(await readFile(join(dir, 'text.txt'), 'utf8')).toBe('grüße\n');
    const bytes = randomBytes(200_000);
    await local.put(new Uint8Array(bytes), join(dir, 'bytes.bin'));
    const got = await local.get(join(dir, 'bytes.bin'));
    expect(got.data?.equals(bytes)).toBe(true);
    expect(got.bytes).toBe(bytes.length);
    await local.put(join(dir, 'bytes.bin'), join(dir, 'copy.bin'));
    const copied = await local.get(join(dir, 'copy.bin'), { localPath: join(dir, 'back.bin') });
    expect(copied).toMatchObject({ localPath: join(dir, 'back.bin'), bytes: bytes.length });
    expect((await readFile(join(dir, 'back.bin'))).equals(bytes)).toBe(true);
    expect(await local.put({ content: '' }, join(dir, 'empty.txt'))).toMatchObject({ bytes: 0 });
    expect(await readFile(join(dir, 'empty.txt'), 'utf8')).toBe('');
  });

  it('gives the file exactly the mode asked for, new or existing', async () => {
    await local.put({ content: 'a' }, join(dir, 'wide.txt'), { mode: 0o666 });
    expect(await modeOf(join(dir, 'wide.txt'))).toBe('666');
    await writeFile(join(dir, 'secret.txt'), 'old');
    await chmod(join(dir, 'secret.txt'), 0o644);
    await local.put({ content: 'token' }, join(dir, 'secret.txt'), { mode: 0o600 });
    expect(await modeOf(join(dir, 'secret.txt'))).toBe('600');
    expect(await readFile(join(dir, 'secret.txt'), 'utf8')).toBe('token');
  });

  it('refuses a mode that is not permission bits, leaving the file as it was', async () => {
    const keep = join(dir, 'mode-keep.txt');
    await writeFile(keep, 'as before');
    await expect(local.put({ content: 'new' }, keep, { mode: 0o10000 })).rejects.toThrow(
      `put ${keep}: mode must be permission bits such as 0o644, got 4096`,
    );
    expect(await readFile(keep, 'utf8')).toBe('as before');
  });

  it('handles names with spaces, quotes and shell characters', async () => {
    const odd = join(dir, `it's a "file" $HOME; ls.txt`);
    await local.put({ content: 'odd' }, odd);
    expect((await local.get(odd)).data?.toString()).toBe('odd');
  });

  it('says clearly what is missing, and loses nothing', async () => {
    const keep = join(dir, 'keep.txt');
    await writeFile(keep, 'precious');
    const error = await local
      .get(join(dir, 'missing.txt'), { localPath: keep })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransportError);
    expect((error as Error).message).toBe(
      `local: no such file or directory (get ${join(dir, 'missing.txt')})`,
    );
    expect(await readFile(keep, 'utf8')).toBe('precious');
    await expect(local.put(join(dir, 'nope.txt'), keep)).rejects.toThrow(
      `local: no such file or directory (put source ${join(dir, 'nope.txt')})`,
    );
    expect(await readFile(keep, 'utf8')).toBe('precious');
  });

  it('puts into and gets into directories under the file name, and refuses to read one', async () => {
    const sub = join(dir, 'sub');
    await mkdir(sub);
    await writeFile(join(dir, 'named.conf'), 'named');
    expect((await local.put(join(dir, 'named.conf'), sub)).remotePath).toBe(
      join(sub, 'named.conf'),
    );
    const fetched = await local.get(join(sub, 'named.conf'), { localPath: `${dir}/` });
    expect(fetched.localPath).toBe(join(dir, 'named.conf'));
    await expect(local.get(sub)).rejects.toThrow(
      `local: file transfer failed (get ${sub}: is a directory)`,
    );
  });

  it('refuses to read more than maxBytes into memory', async () => {
    await local.put(Buffer.alloc(2048), join(dir, 'two-k.bin'));
    await expect(local.get(join(dir, 'two-k.bin'), { maxBytes: 1024 })).rejects.toThrow(
      /larger than 1024 bytes; give a local path/,
    );
  });

  it.skipIf(process.getuid?.() === 0)('says permission denied for an unreadable file', async () => {
    await writeFile(join(dir, 'locked.txt'), 'x', { mode: 0o000 });
    await expect(local.get(join(dir, 'locked.txt'))).rejects.toThrow(
      `local: permission denied (get ${join(dir, 'locked.txt')})`,
    );
  });
});
