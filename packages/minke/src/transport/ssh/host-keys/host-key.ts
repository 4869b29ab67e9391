import { createHash } from 'node:crypto';

/**
 * A server's public host key as the SSH wire format carries it (the "blob"). known_hosts stores
 * the same bytes in base64, so comparing keys is comparing blobs.
 */
export interface HostKey {
  /** e.g. `ssh-ed25519`, `ecdsa-sha2-nistp256`, `ssh-rsa`. */
  type: string;
  blob: Buffer;
}

/** Reads the key type, the first length-prefixed string of every SSH public key blob. */
export function hostKeyFromBlob(blob: Buffer): HostKey {
  if (blob.length < 4) return { type: 'unknown', blob };
  const length = blob.readUInt32BE(0);
  const type =
    length > 0 && 4 + length <= blob.length ? blob.toString('latin1', 4, 4 + length) : 'unknown';
  return { type, blob };
}

/** OpenSSH's fingerprint form, as `ssh-keygen -lf` and ssh's warnings print it. */
export function fingerprintOf(blob: Buffer): string {
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

/** The name a host is filed under in known_hosts: `host`, or `[host]:port` off port 22. */
export function knownHostsName(hostname: string, port: number): string {
  return port === 22 ? hostname : `[${hostname}]:${port}`;
}
