import { createHmac } from 'node:crypto';
import type { HostKey } from './host-key.js';

/** One key line of an OpenSSH known_hosts file. */
export interface KnownHostEntry {
  /** `@revoked` keys are refused; `@cert-authority` lines are kept but never match (no
   * certificate support). */
  marker?: 'revoked' | 'cert-authority';
  /** The comma-separated host patterns as written (plain, wildcard, negated or `|1|` hashed). */
  hosts: string;
  keyType: string;
  key: Buffer;
  /** Where it came from, for messages: `file:line`. */
  source: string;
}

/**
 * Parses known_hosts text; comments, blank and malformed lines are skipped, as OpenSSH does.
 *
 * @example
 *   parseKnownHosts('[10.0.0.5]:2222 ssh-ed25519 AAAAC3Nz...', '~/.ssh/known_hosts')
 */
export function parseKnownHosts(text: string, file = 'known_hosts'): KnownHostEntry[] {
  const entries: KnownHostEntry[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const fields = raw.trim().split(/\s+/);
    if (fields[0] === '' || fields[0]?.startsWith('#')) return;
    const marker = fields[0]?.startsWith('@') ? fields.shift()?.slice(1) : undefined;
    const [hosts, keyType, key] = fields;
    if (!hosts || !keyType || !key || !/^[A-Za-z0-9+/]+=*$/.test(key)) return;
    if (marker !== undefined && marker !== 'revoked' && marker !== 'cert-authority') return;
    const entry: KnownHostEntry = {
      hosts,
      keyType,
      key: Buffer.from(key, 'base64'),
      source: `${file}:${index + 1}`,
    };
    if (marker) entry.marker = marker;
    entries.push(entry);
  });
  return entries;
}

/** Does this entry name the host (`host` or `[host]:port`, see `knownHostsName`)? */
export function entryMatchesHost(entry: KnownHostEntry, name: string): boolean {
  let matched = false;
  for (const pattern of entry.hosts.split(',')) {
    const negated = pattern.startsWith('!');
    if (!patternMatches(negated ? pattern.slice(1) : pattern, name)) continue;
    if (negated) return false;
    matched = true;
  }
  return matched;
}

function patternMatches(pattern: string, name: string): boolean {
  if (pattern.startsWith('|1|')) return hashedMatches(pattern, name);
  if (!/[*?]/.test(pattern)) return pattern.toLowerCase() === name.toLowerCase();
  const regex = pattern
    .toLowerCase()
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replaceAll('*', '.*')
    .replaceAll('?', '.');
  return new RegExp(`^${regex}$`).test(name.toLowerCase());
}

/** `|1|salt|hash`: HMAC-SHA1 of the name keyed with the salt (OpenSSH HashKnownHosts). */
function hashedMatches(pattern: string, name: string): boolean {
  const [, , salt, hash] = pattern.split('|');
  if (!salt || !hash) return false;
  const digest = createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest('base64');
  return digest === hash;
}

export type HostKeyCheck =
  | { status: 'known'; entry: KnownHostEntry }
  | { status: 'unknown' }
  | { status: 'revoked'; entry: KnownHostEntry }
  /** The host is known with other key(s): of the same type (changed) or of another type only. */
  | { status: 'mismatch'; known: KnownHostEntry[] };

/**
 * Compares the key a host presented with what the files say about that host. Minke is stricter
 * than OpenSSH in one case: a host known only with keys of another type counts as a mismatch too,
 * so a server swapped behind the same name can never be "accepted new".
 */
export function checkHostKey(
  entries: readonly KnownHostEntry[],
  name: string,
  key: HostKey,
): HostKeyCheck {
  const revoked = entries.find((e) => e.marker === 'revoked' && e.key.equals(key.blob));
  if (revoked) return { status: 'revoked', entry: revoked };
  const forHost = entries.filter((e) => e.marker === undefined && entryMatchesHost(e, name));
  const same = forHost.find((e) => e.keyType === key.type && e.key.equals(key.blob));
  if (same) return { status: 'known', entry: same };
  return forHost.length ? { status: 'mismatch', known: forHost } : { status: 'unknown' };
}

/** Key types the files know for a host, so the client can ask the server for one of those. */
export function knownKeyTypes(entries: readonly KnownHostEntry[], name: string): string[] {
  const types = entries
    .filter((e) => e.marker === undefined && entryMatchesHost(e, name))
    .map((e) => e.keyType);
  return [...new Set(types)];
}

export function formatKnownHostsLine(name: string, key: HostKey): string {
  return `${name} ${key.type} ${key.blob.toString('base64')}`;
}
