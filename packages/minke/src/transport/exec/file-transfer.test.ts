import { Readable, Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { FileEnd } from './file-end.js';
import { getFile, putFile } from './file-transfer.js';

/** A host whose file system never answers: what a hung SFTP server looks like. */
const stuck: FileEnd = {
  target: 'web1',
  kind: () => new Promise(() => undefined),
  openRead: () => new Promise(() => undefined),
  openWrite: () => new Promise(() => undefined),
};

/** A file that keeps growing after it was opened: it reports 10 bytes, then sends 100. */
const growing: FileEnd = {
  target: 'web1',
  kind: () => Promise.resolve('file'),
  openRead: () =>
    Promise.resolve({
      stream: Readable.from([Buffer.alloc(50), Buffer.alloc(50)]),
      size: 10,
      kind: 'file',
    }),
  openWrite: () => Promise.resolve(new Writable({ write: (_chunk, _encoding, done) => done() })),
};

describe('file transfers', () => {
  it('give up after the time limit with the reason', async () => {
    await expect(getFile(stuck, '/var/log/app.log', { timeoutMs: 50 }, 600_000)).rejects.toThrow(
      'web1: file transfer timed out (get /var/log/app.log: no end after 50 ms)',
    );
    await expect(putFile(stuck, { content: 'x' }, '/etc/app.conf', {}, 50)).rejects.toThrow(
      'web1: file transfer timed out (put /etc/app.conf: no end after 50 ms)',
    );
  });

  it('end when killed, even while the host does not answer', async () => {
    const controller = new AbortController();
    const transfer = getFile(stuck, '/a', { killSignal: controller.signal }, 600_000);
    controller.abort();
    await expect(transfer).rejects.toThrow('web1: file transfer failed (get /a: killed)');
  });

  it('stop reading into memory at maxBytes even when the file grew', async () => {
    await expect(getFile(growing, '/grows', { maxBytes: 64 }, 600_000)).rejects.toThrow(
      'web1: file transfer failed (get /grows: larger than 64 bytes; give a local path to copy it to a file)',
    );
  });
});
