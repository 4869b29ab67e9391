import { fingerprintOf, type HostKey } from './host-key.js';
import { checkHostKey, type KnownHostEntry } from './known-hosts.js';
import { TransportError } from '../../transport-error.js';
import type { HostKeyBook } from './host-key-book.js';

export interface BookCheck {
  /** Name the key is filed under in the book (the Minke host's name). */
  host: string;
  /** `host` or `[host]:port`: what known_hosts files name it by. */
  address: string;
  strictHostKeyChecking: 'yes' | 'accept-new';
  /** Entries of the known_hosts files the project's administrators named; none otherwise. */
  namedFiles: readonly KnownHostEntry[];
}

/**
 * Decides whether to trust the key a host presented, with the database as the fleet's
 * known_hosts. A known_hosts file the project's administrators named speaks first (the migration
 * path): a key it lists is accepted (and filed as trusted by that file when the book knows none),
 * a key it contradicts or revokes is refused. Otherwise the book decides: trusted, go on; another
 * key trusted, refused with both fingerprints shown and the new one filed as pending until someone
 * with `trust_host_key` replaces the old; nothing trusted, `accept-new` trusts it and `yes`
 * refuses it showing its fingerprint, filed as pending.
 */
export async function verifyWithBook(
  book: HostKeyBook,
  check: BookCheck,
  key: HostKey,
): Promise<void> {
  const fingerprint = fingerprintOf(key.blob);
  const presented = `${key.type} ${fingerprint}`;
  const fromFiles = checkHostKey(check.namedFiles, check.address, key);
  if (fromFiles.status === 'revoked') {
    throw new TransportError(
      'host_key_mismatch',
      check.host,
      `${presented} is revoked in ${fromFiles.entry.source}`,
    );
  }
  if (fromFiles.status === 'mismatch') {
    const where = fromFiles.known.map((entry) => entry.source).join(', ');
    throw new TransportError(
      'host_key_mismatch',
      check.host,
      `host presented ${presented}; known keys differ in ${where}`,
    );
  }
  const trusted = await book.trusted(check.host);
  if (fromFiles.status === 'known') {
    if (trusted.length === 0)
      await book.trustFirst(
        check.host,
        check.address,
        key,
        `known_hosts ${fromFiles.entry.source}`,
      );
    return;
  }
  if (trusted.some((k) => k.fingerprint === fingerprint)) {
    await book.seen(check.host, fingerprint);
    return;
  }
  if (trusted.length > 0) {
    await book.offer(check.host, check.address, key);
    const old = trusted.map((k) => `${k.keyType} ${k.fingerprint}`).join(', ');
    throw new TransportError(
      'host_key_mismatch',
      check.host,
      `host key changed: trusted ${old}, presented ${presented}; refused until a user with ` +
        `trust_host_key replaces it`,
    );
  }
  if (check.strictHostKeyChecking === 'accept-new') {
    await book.trustFirst(check.host, check.address, key, 'accept-new');
    return;
  }
  await book.offer(check.host, check.address, key);
  throw new TransportError(
    'host_key_unknown',
    check.host,
    `${presented} is not trusted yet; a user with trust_host_key can trust it`,
  );
}
