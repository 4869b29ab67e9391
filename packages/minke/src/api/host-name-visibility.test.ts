import { describe, expect, it } from 'vitest';
import { hideHostInText } from './host-name-visibility.js';

describe('hideHostInText', () => {
  it('hides the target of a connection error, by name or by user@address:port', () => {
    expect(hideHostInText('root@[10.0.0.5]:2222: connection refused', 'db-7')).toBe(
      '(hidden host): connection refused',
    );
    expect(
      hideHostInText('db-7: host key unknown (ssh-ed25519 SHA256:abc is not trusted yet)', 'db-7'),
    ).toBe('(hidden host): host key unknown (ssh-ed25519 SHA256:abc is not trusted yet)');
    expect(
      hideHostInText('deploy@db-7.example.com: authentication failed (tried agent)', null),
    ).toBe('(hidden host): authentication failed (tried agent)');
  });

  it("hides the host's name as a whole word, and leaves other text alone", () => {
    expect(hideHostInText('host db-7 is busy with run 3', 'db-7')).toBe(
      'host (hidden host) is busy with run 3',
    );
    expect(hideHostInText('db-70 and xdb-7 and db-7.', 'db-7')).toBe(
      'db-70 and xdb-7 and (hidden host).',
    );
    expect(hideHostInText('note: nothing to hide', 'db-7')).toBe('note: nothing to hide');
  });
});
