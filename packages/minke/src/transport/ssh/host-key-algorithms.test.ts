import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { customHostKeyAlgorithms, hostKeyAlgorithms } from './host-key-algorithms.js';

const require = createRequire(import.meta.url);

describe('host key algorithms', () => {
  it("leaves the offer to ssh2 when it would be ssh2's own default order", () => {
    const ssh2Defaults = (
      require('ssh2/lib/protocol/constants.js') as { DEFAULT_SERVER_HOST_KEY: string[] }
    ).DEFAULT_SERVER_HOST_KEY;
    // The shortcut is only right while our default order is ssh2's.
    expect(hostKeyAlgorithms([])).toEqual(ssh2Defaults);
    expect(customHostKeyAlgorithms([])).toBeUndefined();
    expect(customHostKeyAlgorithms(['ssh-ed25519', 'ssh-ed25519'])).toBeUndefined();
  });

  it('asks for a known key type first otherwise', () => {
    expect(customHostKeyAlgorithms(['ssh-rsa'])?.slice(0, 4)).toEqual([
      'rsa-sha2-512',
      'rsa-sha2-256',
      'ssh-rsa',
      'ssh-ed25519',
    ]);
    expect(customHostKeyAlgorithms(['ecdsa-sha2-nistp256'])?.[0]).toBe('ecdsa-sha2-nistp256');
  });
});
