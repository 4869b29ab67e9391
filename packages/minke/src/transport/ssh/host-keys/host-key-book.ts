import type { HostKey } from './host-key.js';

/** A key as the fleet's host key book holds it. */
export interface BookedHostKey {
  keyType: string;
  fingerprint: string;
  /** base64 of the SSH key blob. */
  publicKey: string;
  /** When a connection last presented it (ISO-8601), when the book keeps that. */
  lastSeenAt?: string;
}

/**
 * What the SSH transport asks of the fleet's known host keys (the database's, see
 * `HostKeyStore`). The transport sees only this, so that it never touches the database itself.
 * `host` is the name the key is filed under: the Minke host's name, or `[address]:port` for a
 * jump host.
 */
export interface HostKeyBook {
  /** The host's trusted keys (usually one). */
  trusted(host: string): Promise<BookedHostKey[]>;
  /**
   * The trusted keys of many hosts in one read (hosts with none left out), for the executor's
   * connections that start together; a book without it is asked host by host.
   */
  trustedMany?(hosts: readonly string[]): Promise<ReadonlyMap<string, BookedHostKey[]>>;
  /** Marks a trusted key as seen now (the transport skips it while `lastSeenAt` is recent). */
  seen(host: string, fingerprint: string): Promise<void>;
  /** Files a key the host offered and nobody trusted: `pending`, for someone to trust or not. */
  offer(host: string, address: string, key: HostKey): Promise<void>;
  /** Files a host's first key as trusted by `by` (`accept-new`, or the known_hosts file it was
   * found in). */
  trustFirst(host: string, address: string, key: HostKey, by: string): Promise<void>;
}
