import type { SFTPWrapper, Stats } from 'ssh2';
import type { Writable } from 'node:stream';
import type { FileEnd, OpenedForRead, PathKind } from '../exec/file-end.js';
import { NotARegularFile } from '../exec/transfer-error.js';
import { TransportError } from '../transport-error.js';
import type { SshClient } from './ssh-client.js';

/** SFTP's "no such file" status. */
const noSuchFile = 2;

/**
 * A host's files over one SFTP channel of its SSH connection, opened on first use. One transfer
 * uses one instance and calls `end()` when done (or given up), which closes the channel and with
 * it every handle the server still holds.
 */
export class SftpFiles implements FileEnd {
  private opening: Promise<SFTPWrapper> | undefined;

  constructor(
    private readonly client: SshClient,
    readonly target: string,
  ) {}

  async kind(path: string): Promise<PathKind> {
    const sftp = await this.sftp();
    return new Promise((resolve, reject) => {
      sftp.stat(sftpPath(path), (error, stats) => {
        if (!error) return resolve(kindOf(stats));
        if ((error as { code?: unknown }).code === noSuchFile) return resolve('missing');
        reject(error);
      });
    });
  }

  async openRead(path: string): Promise<OpenedForRead> {
    const sftp = await this.sftp();
    const handle = await sftpCall<Buffer>((done) => sftp.open(sftpPath(path), 'r', done));
    try {
      const stats = await sftpCall<Stats>((done) => sftp.fstat(handle, done));
      const kind = kindOf(stats);
      if (kind !== 'file') throw new NotARegularFile(kind);
      const stream = sftp.createReadStream(sftpPath(path), { handle, autoClose: true });
      return { stream, size: stats.size, kind };
    } catch (error) {
      sftp.close(handle, () => undefined);
      throw error;
    }
  }

  async openWrite(path: string, mode?: number): Promise<Writable> {
    const sftp = await this.sftp();
    const attributes = mode === undefined ? {} : { mode };
    const handle = await sftpCall<Buffer>((done) =>
      sftp.open(sftpPath(path), 'w', attributes, done),
    );
    try {
      // The server applies its umask to a new file and leaves an existing file's bits alone:
      // set them exactly, before the first byte is written.
      if (mode !== undefined) await sftpCall<void>((done) => sftp.fchmod(handle, mode, done));
      return sftp.createWriteStream(sftpPath(path), { handle, autoClose: true });
    } catch (error) {
      sftp.close(handle, () => undefined);
      throw error;
    }
  }

  /** Closes the channel, also one still being opened. */
  end(): void {
    void this.opening?.then(
      (sftp) => sftp.end(),
      () => undefined,
    );
  }

  private sftp(): Promise<SFTPWrapper> {
    this.opening ??= new Promise((resolve, reject) => {
      try {
        this.client.sftp((error, sftp) => {
          if (error) {
            return reject(
              new TransportError('channel_failed', this.target, `sftp: ${error.message}`),
            );
          }
          // Failures reach the callbacks of the calls; an 'error' event without a listener would
          // crash the process instead.
          sftp.on('error', () => undefined);
          resolve(sftp);
        });
      } catch (error) {
        // ssh2 throws synchronously when the connection is already gone.
        reject(new TransportError('disconnected', this.target, 'connection is closed', error));
      }
    });
    return this.opening;
  }
}

/** SFTP paths are relative to the login directory, so `~/x` is simply `x`. */
function sftpPath(path: string): string {
  if (path === '~') return '.';
  return path.startsWith('~/') ? path.slice(2) : path;
}

function sftpCall<T>(call: (done: (error: Error | undefined | null, value: T) => void) => void) {
  return new Promise<T>((resolve, reject) => {
    call((error, value) => (error ? reject(error) : resolve(value)));
  });
}

function kindOf(stats: Stats): PathKind {
  if (stats.isFile()) return 'file';
  if (stats.isDirectory()) return 'directory';
  return 'other';
}
