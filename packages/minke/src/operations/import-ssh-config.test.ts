import { describe, expect, it } from 'vitest';
import { hostsFromSshConfig } from './import-ssh-config.js';

const sample = `
Host web-1 web-2
  HostName 10.0.0.1
  Port 2222
  IdentityFile ~/.ssh/web
  IdentityFile ~/.ssh/fallback

Host db.example.com
  User postgres
  ProxyJump bastion
  StrictHostKeyChecking accept-new

Host *.internal !skip.internal
  User ops

Host bad_name
  HostName 10.0.0.9

Match host foo
  User nobody

# Defaults last, as ssh reads the first value it finds.
Host *
  ServerAliveInterval 30
  User admin
`;

describe('hosts from an OpenSSH config', () => {
  it('follows ssh in taking the first value it finds', () => {
    const [first] = hostsFromSshConfig('Host *\n  User admin\nHost a\n  User alice\n');
    expect(first?.input?.user).toBe('admin');
  });

  it('makes one host per concrete Host name, with the options ssh would use', () => {
    const candidates = hostsFromSshConfig(sample);
    expect(candidates.map((c) => c.alias)).toEqual([
      'web-1',
      'web-2',
      'db.example.com',
      'bad_name',
    ]);
    expect(candidates[0]?.input).toEqual({
      name: 'web-1',
      hostname: '10.0.0.1',
      port: 2222,
      user: 'admin',
      config: { identityFiles: ['~/.ssh/web', '~/.ssh/fallback'], keepaliveIntervalMs: 30_000 },
      comment: 'imported from an OpenSSH config',
    });
    expect(candidates[2]?.input).toMatchObject({
      name: 'db.example.com',
      hostname: 'db.example.com',
      port: null,
      user: 'postgres',
      config: { proxyJump: 'bastion', strictHostKeyChecking: 'accept-new' },
    });
  });

  it('skips names that are not DNS-safe, saying why', () => {
    const bad = hostsFromSshConfig(sample).find((c) => c.alias === 'bad_name');
    expect(bad?.input).toBeUndefined();
    expect(bad?.skipped).toContain('invalid host name "bad_name"');
  });

  it('returns nothing for a config with only patterns', () => {
    expect(hostsFromSshConfig('Host *\n  User x\n')).toEqual([]);
  });
});
