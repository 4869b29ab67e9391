import { describe, expect, it } from 'vitest';
import { PermissionDenied } from '../errors.js';
import {
  addedServerResources,
  checkConfigChange,
  checkHostChange,
  serverResources,
  type HostConnectionState,
} from './connection-guard.js';
import type { RunUser } from '../auth/run-user.js';

const changer: RunUser = { id: 2, isSuperuser: false, permissions: new Set(['change_host']) };
const manager: RunUser = {
  id: 3,
  isSuperuser: false,
  permissions: new Set(['change_host', 'manage_connections']),
};

function host(overrides: Partial<HostConnectionState> = {}): HostConnectionState {
  return { name: 'db-1', hostname: null, port: null, config: {}, groups: [], ...overrides };
}

function refusal(run: () => void): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(PermissionDenied);
    return (error as Error).message;
  }
  throw new Error('not refused');
}

describe('server resources in a connection config', () => {
  it('lists every setting that names something on the Minke server, nested jumps included', () => {
    const found = serverResources({
      transport: 'local',
      password: { file: '/etc/minke/key' },
      passphrase: { env: 'HOME' },
      sudo: { password: { env: 'X' } },
      identityFiles: ['~/.ssh/id_ed25519'],
      knownHostsFiles: ['/tmp/kh'],
      sshConfigFile: '/etc/ssh/ssh_config',
      agent: '/run/agent.sock',
      strictHostKeyChecking: 'accept-new',
      proxyJump: { hostname: 'bastion', identityFiles: ['/root/.ssh/id_rsa'], agent: true },
      port: 22,
      user: 'deploy',
    });
    expect([...found.keys()].sort()).toEqual(
      [
        'agent',
        'identityFiles',
        'knownHostsFiles',
        'passphrase.env',
        'password.file',
        'proxyJump.agent',
        'proxyJump.identityFiles',
        'sshConfigFile',
        'strictHostKeyChecking',
        'sudo.password.env',
        'transport',
      ].sort(),
    );
  });

  it('ignores settings that only take something away, and plain ones', () => {
    const found = serverResources({
      agent: false,
      sshConfigFile: false,
      transport: 'ssh',
      strictHostKeyChecking: 'yes',
      proxyJump: 'admin@bastion:2222',
      hostname: 'web-1',
      env: { A: 'b' },
    });
    expect(found.size).toBe(0);
  });

  it('counts what a change adds or changes, never what it removes', () => {
    const before = { password: { file: '/a' }, identityFiles: ['/k1', '/k2'] };
    expect(
      addedServerResources(before, { password: { file: '/a' }, identityFiles: ['/k2'] }),
    ).toEqual([]);
    expect(addedServerResources(before, { password: { file: '/b' } })).toEqual(['password.file']);
    expect(addedServerResources(before, { ...before, identityFiles: ['/k3'] })).toEqual([
      'identityFiles',
    ]);
    expect(addedServerResources(before, { ...before, password: { env: 'A' } })).toEqual([
      'password.env',
    ]);
  });
});

describe('who may change them', () => {
  it('refuses a user without manage_connections, naming the field; the operator and managers pass', () => {
    const change = (actor: RunUser | undefined) => () =>
      checkConfigChange(actor, 'group', {}, { sudo: { password: { file: '/etc/shadow' } } });
    expect(refusal(change(changer))).toBe(
      'group config field sudo.password.file needs the manage_connections permission',
    );
    expect(change(manager)).not.toThrow();
    expect(change(undefined)).not.toThrow();
    expect(change({ ...changer, isSuperuser: true })).not.toThrow();
  });

  it('lets a user edit other settings of a host that has a secret file', () => {
    const config = { password: { file: '/etc/minke/db.pass' } };
    expect(() =>
      checkHostChange(
        changer,
        {},
        host({ config }),
        host({ config: { ...config, user: 'root', env: { A: '1' } } }),
      ),
    ).not.toThrow();
  });

  it('refuses pointing a host that receives a password at another destination', () => {
    const config = { password: { file: '/etc/minke/db.pass' } };
    expect(
      refusal(() =>
        checkHostChange(changer, {}, host({ config }), host({ config, hostname: 'evil' })),
      ),
    ).toBe(
      'changing where host db-1 connects (it receives password.file from its own config) needs the manage_connections permission',
    );
    // The name is the address when nothing else is set; a jump host decides where it goes.
    expect(() =>
      checkHostChange(changer, {}, host({ config }), host({ config, name: 'evil' })),
    ).toThrow(PermissionDenied);
    expect(() =>
      checkHostChange(
        changer,
        {},
        host({ config }),
        host({ config: { ...config, proxyJump: 'evil' } }),
      ),
    ).toThrow(PermissionDenied);
    // Without a secret to deliver, where a host connects is the changer's business.
    expect(() =>
      checkHostChange(changer, {}, host(), host({ hostname: 'elsewhere' })),
    ).not.toThrow();
  });

  it('refuses adding a host that would receive the project password, and joining a group with one', () => {
    const project = { sudo: { password: { env: 'SUDO_PASSWORD' } } };
    expect(refusal(() => checkHostChange(changer, project, undefined, host()))).toBe(
      'adding a host that receives sudo.password.env from the project config needs the manage_connections permission',
    );
    expect(() => checkHostChange(changer, {}, undefined, host())).not.toThrow();
    const dmz = { id: 7, name: 'dmz', config: { identityFiles: ['/srv/keys/dmz'] } };
    expect(refusal(() => checkHostChange(changer, {}, host(), host({ groups: [dmz] })))).toBe(
      'joining host group dmz (its config sets identityFiles) needs the manage_connections permission',
    );
    // A member already in the group stays; the group renamed is still the same group.
    expect(() =>
      checkHostChange(
        changer,
        {},
        host({ groups: [dmz] }),
        host({ groups: [{ ...dmz, name: 'z' }] }),
      ),
    ).not.toThrow();
    expect(() =>
      checkHostChange(manager, project, undefined, host({ groups: [dmz] })),
    ).not.toThrow();
  });
});
