import { TransportError } from '../transport-error.js';
import type { PathKind } from './file-end.js';

/** Thrown by a `FileEnd` asked to read something that is not a regular file. */
export class NotARegularFile extends Error {
  constructor(readonly kind: PathKind) {
    super(kind === 'directory' ? 'is a directory' : 'not a regular file');
    this.name = 'NotARegularFile';
  }
}

/** SFTP status codes (draft-ietf-secsh-filexfer-02), as ssh2 puts them on `error.code`. */
const sftpNoSuchFile = 2;
const sftpPermissionDenied = 3;

/**
 * Turns what a file system said into the error a user reads:
 * `deploy@web1:22: no such file or directory (get /etc/app.conf)`.
 */
export function transferError(error: unknown, target: string, what: string): TransportError {
  if (error instanceof TransportError) return error;
  const code = (error as { code?: unknown } | null)?.code;
  if (code === sftpNoSuchFile || code === 'ENOENT' || code === 'ENOTDIR') {
    return new TransportError('no_such_file', target, what, error);
  }
  if (code === sftpPermissionDenied || code === 'EACCES' || code === 'EPERM') {
    return new TransportError('permission_denied', target, what, error);
  }
  const reason = error instanceof Error ? error.message : String(error);
  return new TransportError('transfer_failed', target, `${what}: ${reason}`, error);
}
