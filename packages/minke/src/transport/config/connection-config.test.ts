import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deepMerge } from './deep-merge.js';
import { parseJumpSpec } from './jump-spec.js';
import { mergeConnectionConfig, parseConnectionConfigLayer } from './merge-config.js';
import { resolveConnectionConfig } from './resolve-connection.js';
import { TransportError } from '../transport-error.js';

describe('deepMerge', () => {
  it('merges nested objects, later wins, arrays replaced, undefined ignored, inputs untouched', () => {
    const a = { sudo: { user: 'root' }, list: [1, 2], port: 22, keep: 'a' };
    const b = { sudo: { password: { env: 'PW' } }, list: [3], port: undefined };
    expect(deepMerge<Record<string, unknown>>(a, b)).toEqual({
      sudo: { user: 'root', password: { env: 'PW' } },
      list: [3],
      port: 22,
      keep: 'a',
    });
    expect(a).toEqual({ sudo: { user: 'root' }, list: [1, 2], port: 22, keep: 'a' });
  });

  it('lets a scalar replace an object and back', () => {
    expect(mergeConnectionConfig({ proxyJump: { hostname: 'a' } }, { proxyJump: 'b' })).toEqual({
      proxyJump: 'b',
    });
    expect(mergeConnectionConfig({ proxyJump: 'b' }, { proxyJump: { hostname: 'a' } })).toEqual({
      proxyJump: { hostname: 'a' },
    });
  });
});

describe('parseConnectionConfigLayer', () => {
  it('accepts empty configs', () => {
    expect(parseConnectionConfigLayer(undefined, 'x')).toEqual({});
    expect(parseConnectionConfigLayer(null, 'x')).toEqual({});
  });

  it('refuses unknown keys and bad values, naming layer and field', () => {
    const error = (() => {
      try {
        parseConnectionConfigLayer({ identityFile: 'x', port: 'ssh' }, 'host web1');
      } catch (e) {
        return e as TransportError;
      }
    })();
    expect(error).toBeInstanceOf(TransportError);
    expect(error?.message).toContain('host web1');
    expect(error?.message).toContain('port');
    expect(error?.message).toContain('identityFile');
  });

  it('accepts secrets only as references', () => {
    expect(() => parseConnectionConfigLayer({ password: 'hunter2' }, 'x')).toThrow(TransportError);
    expect(parseConnectionConfigLayer({ password: { env: 'PW' } }, 'x')).toEqual({
      password: { env: 'PW' },
    });
  });
});

describe('mergeConnectionConfig', () => {
  it('replaces a secret reference whole: a host credential is not merged into a group env', () => {
    const group = parseConnectionConfigLayer(
      { password: { env: 'GROUP_PW' }, sudo: { user: 'root', password: { file: '/x' } } },
      'group',
    );
    const host = parseConnectionConfigLayer(
      {
        password: { credential: 'db-root' },
        sudo: { password: { credential: 'sudo-pw' } },
        key: { credential: 'deploy' },
      },
      'host',
    );
    expect(mergeConnectionConfig(group, host)).toEqual({
      password: { credential: 'db-root' },
      sudo: { user: 'root', password: { credential: 'sudo-pw' } },
      key: { credential: 'deploy' },
    });
    expect(mergeConnectionConfig(host, group).password).toEqual({ env: 'GROUP_PW' });
  });

  it('refuses a credential reference that is not a name, and a key that is not a reference', () => {
    expect(() => parseConnectionConfigLayer({ key: { file: '/k' } }, 'host web-1')).toThrow(
      'key: Unrecognized key: "file"',
    );
    expect(() =>
      parseConnectionConfigLayer({ password: { credential: 'Bad Name' } }, 'host web-1'),
    ).toThrow(TransportError);
  });
});

describe('parseJumpSpec', () => {
  it.each([
    ['bastion', { hostname: 'bastion' }],
    ['admin@bastion:2222', { user: 'admin', hostname: 'bastion', port: 2222 }],
    ['ssh://admin@bastion:22', { user: 'admin', hostname: 'bastion', port: 22 }],
    ['[::1]:2200', { hostname: '::1', port: 2200 }],
  ])('%s', (spec, expected) => {
    expect(parseJumpSpec(spec)).toEqual(expected);
  });

  it('refuses nonsense', () => {
    expect(() => parseJumpSpec('a@b:99999')).toThrow(TransportError);
    expect(() => parseJumpSpec('@')).toThrow(TransportError);
  });
});

describe('resolveConnectionConfig', () => {
  let dir: string;
  let sshConfigFile: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'minke-cfg-'));
    sshConfigFile = join(dir, 'ssh_config');
    await writeFile(
      sshConfigFile,
      [
        'Host web1',
        '  HostName 10.0.0.5',
        '  User sshcfg',
        '  Port 2201',
        '  IdentityFile ~/.ssh/web1_%r',
        '  ProxyJump jumpy',
        'Host jumpy',
        '  HostName jump.example.com',
        '  User hopper',
        '  StrictHostKeyChecking accept-new',
        'Host loop',
        '  ProxyJump loop',
        'Host *',
        '  ServerAliveInterval 7',
        '  ConnectTimeout 4',
        '  UserKnownHostsFile /tmp/kh1 /tmp/kh2',
      ].join('\n'),
    );
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('fills everything from the built-in defaults', async () => {
    const config = await resolveConnectionConfig({
      name: 'plain',
      host: { sshConfigFile: false, agent: false },
    });
    expect(config).toMatchObject({
      hostname: 'plain',
      port: 22,
      user: userInfo().username,
      strictHostKeyChecking: 'yes',
      maxChannels: 8,
      agent: false,
      pty: false,
    });
    expect(config.proxyJump).toBeUndefined();
  });

  it('applies ssh_config below project, groups (by name), host, session and run-time layers', async () => {
    const config = await resolveConnectionConfig({
      name: 'web1',
      project: { sshConfigFile, user: 'project', env: { A: 'project', B: 'project' }, pty: true },
      groups: [
        { name: 'zeta', config: { port: 2300, env: { B: 'zeta' } } },
        { name: 'alpha', config: { port: 2299, env: { B: 'alpha', C: 'alpha' } } },
      ],
      host: { sudo: { user: 'root' } },
      session: { sudo: { password: { env: 'SUDO_PW' } }, env: { C: 'session' } },
      runtime: { pty: false },
    });
    expect(config.hostname).toBe('10.0.0.5');
    expect(config.user).toBe('project');
    expect(config.port).toBe(2300);
    expect(config.env).toEqual({ A: 'project', B: 'zeta', C: 'session' });
    expect(config.sudo).toEqual({ user: 'root', password: { env: 'SUDO_PW' } });
    expect(config.pty).toBe(false);
    expect(config.keepaliveIntervalMs).toBe(7000);
    expect(config.connectTimeoutMs).toBe(4000);
    expect(config.knownHostsFiles).toEqual(['/tmp/kh1', '/tmp/kh2']);
    // %r is the remote user as ssh_config knows it when the key path is computed.
    expect(config.identityFiles[0]).toMatch(/\.ssh\/web1_sshcfg$/);
  });

  it('resolves ProxyJump from ssh_config as a host of its own', async () => {
    const config = await resolveConnectionConfig({ name: 'web1', host: { sshConfigFile } });
    expect(config.proxyJump).toMatchObject({
      hostname: 'jump.example.com',
      user: 'hopper',
      port: 22,
    });
    // Its own ssh_config applies where Minke's layers say nothing ...
    expect(config.proxyJump?.strictHostKeyChecking).toBe('accept-new');
    // ... and what they say explicitly about authentication and checking is inherited.
    const strict = await resolveConnectionConfig({
      name: 'web1',
      host: {
        sshConfigFile,
        strictHostKeyChecking: 'yes',
        identityFiles: ['/keys/k'],
        user: 'not-inherited',
      },
    });
    expect(strict.proxyJump).toMatchObject({
      strictHostKeyChecking: 'yes',
      identityFiles: ['/keys/k'],
      user: 'hopper',
    });
  });

  it('resolves a jump chain a,b as: b through a', async () => {
    const config = await resolveConnectionConfig({
      name: 'db',
      host: { sshConfigFile: false, proxyJump: 'u1@first:2001,u2@second:2002' },
    });
    expect(config.proxyJump).toMatchObject({ hostname: 'second', user: 'u2', port: 2002 });
    expect(config.proxyJump?.proxyJump).toMatchObject({
      hostname: 'first',
      user: 'u1',
      port: 2001,
    });
    expect(config.proxyJump?.proxyJump?.proxyJump).toBeUndefined();
  });

  it('lets a later layer turn a jump off with none', async () => {
    const config = await resolveConnectionConfig({
      name: 'web1',
      project: { sshConfigFile },
      host: { proxyJump: 'none' },
    });
    expect(config.proxyJump).toBeUndefined();
  });

  it('stops ProxyJump loops', async () => {
    await expect(
      resolveConnectionConfig({ name: 'loop', host: { sshConfigFile } }),
    ).rejects.toThrow(/loops/);
  });

  it('treats a missing ssh config file as empty', async () => {
    const config = await resolveConnectionConfig({
      name: 'web1',
      host: { sshConfigFile: join(dir, 'nope') },
    });
    expect(config.hostname).toBe('web1');
  });
});
