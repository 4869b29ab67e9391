import { describe, expect, it } from 'vitest';
import { redactChange } from './redact-secrets.js';

describe('redactChange', () => {
  it('keeps that a secret was set or changed, never its value or where it is read from', () => {
    const before = {
      hostname: 'db1',
      password: { env: 'DB_PASSWORD' },
      sudo: { user: 'root', password: { file: '/etc/minke/sudo.pass' } },
      passphrase: 'same',
    };
    const after = {
      hostname: 'db1',
      password: { env: 'OTHER_PASSWORD' },
      sudo: { user: 'root', password: { file: '/etc/minke/sudo.pass' } },
      passphrase: 'same',
      apiToken: 'new',
    };
    expect(redactChange(before, after)).toEqual({
      before: {
        hostname: 'db1',
        password: '[secret]',
        sudo: { user: 'root', password: '[secret]' },
        passphrase: '[secret]',
      },
      after: {
        hostname: 'db1',
        password: '[secret changed]',
        sudo: { user: 'root', password: '[secret]' },
        passphrase: '[secret]',
        apiToken: '[secret]',
      },
    });
  });

  it('names a stored credential, and looks into lists', () => {
    const after = {
      key: { credential: 'deploy' },
      layers: [{ sudoPassword: 'x' }, { clientSecret: 'y' }],
    };
    expect(redactChange(undefined, after).after).toEqual({
      key: { credential: 'deploy' },
      layers: [{ sudoPassword: '[secret]' }, { clientSecret: '[secret]' }],
    });
  });

  it('leaves nulls and plain values alone', () => {
    expect(redactChange(null, { password: null, port: 22, name: 'token-less' })).toEqual({
      before: null,
      after: { password: null, port: 22, name: 'token-less' },
    });
  });
});
