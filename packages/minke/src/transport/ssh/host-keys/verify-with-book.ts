import { fingerprintOf, type HostKey } from './host-key.js';
import { checkHostKey, type KnownHostEntry } from './known-hosts.js';
import { TransportError } from '../../transport-error.js';
import type { BookedHostKey, HostKeyBook } from './host-key-book.js';

/**
 * A trusted key's "last seen" is refreshed at most this often: a write per connection would make
 * every run of 1,000 hosts 1,000 writes to the same table, for a date nobody reads to the second.
 */
export const seenRefreshMs = 10 * 60_000;

export interface BookCheck {
  /** Name the key is filed under in the book (the Minke host's name). */
  host: string;
  /** `host` or `[host]:port`: what known_hosts files name it by. */
  address: string;
  strictHostKeyChecking: 'yes' | 'accept-new';
  /** Entries of the known_hosts files the project's administrators named; none otherwise. */
  namedFiles: readonly KnownHostEntry[];
  /** The host's trusted keys, when the caller read them just before (to choose the key types
   * to ask for); otherwise they are read from the book here. */
  trusted?: readonly BookedHostKey[];
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
  const trusted = check.trusted ?? (await book.trusted(check.host));
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
  const match = trusted.find((k) => k.fingerprint === fingerprint);
  if (match) {
    if (!seenRecently(match)) await book.seen(check.host, fingerprint);
    return;
  }
  if (trusted.length > 0) {
    await book.offer(check.host, check.address, key);
    const old = trusted.map((k) => `${k.keyType} ${k.fingerprint}`).join(', ');
    throw new TransportError(
      'host_key_mismatch',
      check.host,
      `host key changed: trusted ${old}, presented ${presented}; refused until a user with ` +
        `trust_host_key replaces it: ${howToTrust(check.host)}`,
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
    `${presented} is not trusted yet; a user with trust_host_key can trust it: ${howToTrust(check.host)}`,
  );
}

/** Where a user trusts a host's offered key: the CLI and the web admin (host keys page). */
function howToTrust(host: string): string {
  return `\`minke hosts trust-key ${host}\` or the web admin's Host keys page`;
}

function seenRecently(key: BookedHostKey): boolean {
  if (key.lastSeenAt === undefined) return false;
  const seen = Date.parse(key.lastSeenAt);
  return Number.isFinite(seen) && Date.now() - seen < seenRefreshMs;
}
