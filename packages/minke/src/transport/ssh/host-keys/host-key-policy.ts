import { fingerprintOf, type HostKey, knownHostsName } from './host-key.js';
import { checkHostKey, type KnownHostEntry } from './known-hosts.js';
import { appendKnownHost, readKnownHostsFiles } from './known-hosts-file.js';
import { TransportError } from '../../transport-error.js';

export interface HostKeyPolicy {
  hostname: string;
  port: number;
  strictHostKeyChecking: 'yes' | 'accept-new';
  knownHostsFiles: readonly string[];
}

/**
 * Decides whether to trust the key a host presented. Known: go on. Unknown: refused with `yes`,
 * recorded with `accept-new`. Changed (or revoked): always refused, naming the host and the
 * fingerprint the host presented, so an operator can compare it with the real one.
 */
export async function verifyHostKey(
  policy: HostKeyPolicy,
  key: HostKey,
  entries?: readonly KnownHostEntry[],
): Promise<void> {
  const name = knownHostsName(policy.hostname, policy.port);
  const check = checkHostKey(
    entries ?? (await readKnownHostsFiles(policy.knownHostsFiles)),
    name,
    key,
  );
  const presented = `${key.type} ${fingerprintOf(key.blob)}`;
  switch (check.status) {
    case 'known':
      return;
    case 'revoked':
      throw new TransportError(
        'host_key_mismatch',
        name,
        `${presented} is revoked in ${check.entry.source}`,
      );
    case 'mismatch': {
      const where = check.known.map((entry) => entry.source).join(', ');
      throw new TransportError(
        'host_key_mismatch',
        name,
        `host presented ${presented}; known keys differ in ${where}`,
      );
    }
    case 'unknown': {
      const file = policy.knownHostsFiles[0];
      if (policy.strictHostKeyChecking === 'yes' || file === undefined) {
        throw new TransportError(
          'host_key_unknown',
          name,
          `${presented} is not in known_hosts and strict checking is on`,
        );
      }
      await appendKnownHost(file, name, key);
    }
  }
}
