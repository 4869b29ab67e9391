import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiHarness } from '../../../test-support/api-harness.js';
import { startServedProject, type ServedProject } from '../../../test-support/served-project.js';

// `minke hosts set NAME …` on a project folder and through a server as the token's user: only
// what the flags name changes, the output says what did, and the server's checks hold.
describe('hosts set, on the project and through --server', { timeout: 180_000 }, () => {
  let served: ServedProject;
  let h: ApiHarness;
  let changer: string;

  beforeAll(async () => {
    served = await startServedProject('host-set');
    h = served.h;
    await h.user('changer', { permissions: ['view_host', 'change_host'] });
    changer = (await h.withToken('changer')).token;
    await h.project.hosts.addGroup({ name: 'web' });
    await h.project.hosts.addGroup({ name: 'eu' });
    await h.project.hosts.add({ name: 'web-1', port: 22, user: 'deploy', comment: 'front' });
  });
  afterAll(() => served.close());

  it('changes what the flags name and says what changed, either way', async () => {
    const here = await served.local(
      'hosts',
      'set',
      'web-1',
      '--port',
      '2222',
      '--group',
      'web',
      'eu',
    );
    expect([here.code, here.stderr]).toEqual([0, '']);
    expect(here.stdout).toBe('changed host web-1: port 22 → 2222, groups - → web,eu\n');
    const there = await served.remote(
      changer,
      'hosts',
      'set',
      'web-1',
      '--user',
      '',
      '--comment',
      '',
    );
    expect([there.code, there.stderr]).toEqual([0, '']);
    expect(there.stdout).toBe('changed host web-1: user deploy → -, comment front → -\n');
    const host = await h.project.hosts.get('web-1');
    expect(host).toMatchObject({ port: 2222, user: null, comment: null, groups: ['web', 'eu'] });
    // Groups replaced, then left; disabled and enabled again; renamed.
    expect((await served.local('hosts', 'set', 'web-1', '--no-group', '--disabled')).stdout).toBe(
      'changed host web-1: groups web,eu → -, disabled false → true\n',
    );
    expect((await served.remote(changer, 'hosts', 'set', 'web-1', '--enabled')).stdout).toBe(
      'changed host web-1: disabled true → false\n',
    );
    expect((await served.local('hosts', 'set', 'web-1', '--rename', 'web-01')).stdout).toBe(
      'changed host web-1: name web-1 → web-01\n',
    );
    expect((await served.remote(changer, 'hosts', 'set', 'web-01', '--port', '2222')).stdout).toBe(
      'no change to host web-01\n',
    );
    // Each change is in the audit log, the server's as the token's user.
    const rows = await h.project.database.tables
      .selectFrom('minke_audit_log')
      .select(['actor_name', 'action'])
      .where('action', '=', 'host.update')
      .orderBy('id')
      .execute();
    expect(rows.map((row) => row.actor_name)).toEqual([
      expect.any(String),
      'changer',
      expect.any(String),
      'changer',
      expect.any(String),
      'changer',
    ]);
  });

  it('says what is wrong and changes nothing', async () => {
    const before = await h.project.hosts.get('web-01');
    const cases: [string[], number, string][] = [
      [
        ['hosts', 'set', 'web-01'],
        2,
        'name what to change (--hostname, --port, --group, …; see --help)',
      ],
      [
        ['hosts', 'set', 'web-01', '--port', '0'],
        2,
        '--port "0": use a whole number from 1 to 65535',
      ],
      [
        ['hosts', 'set', 'web-01', '--disabled', '--enabled'],
        2,
        '--disabled and --enabled: give one of them',
      ],
      [['hosts', 'set', 'web-9', '--port', '22'], 2, 'host web-9 does not exist'],
      [['hosts', 'set', 'web-01', '--rename', 'Not Valid'], 2, 'host name "Not Valid"'],
      [['hosts', 'set', 'web-01', '--group', 'nope'], 2, 'nope'],
    ];
    for (const [args, code, message] of cases) {
      for (const result of [await served.local(...args), await served.remote(changer, ...args)]) {
        expect(result.code, args.join(' ')).toBe(code);
        expect(result.stderr, args.join(' ')).toContain(message);
        expect(result.stderr).toMatch(/^minke: error: [^\n]+\n$/);
      }
    }
    // A connection setting that uses the server's own files needs manage_connections there.
    const refused = await served.remote(
      changer,
      'hosts',
      'set',
      'web-01',
      '--config',
      '{identityFiles: [/root/.ssh/id_ed25519]}',
    );
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^minke: error: .*manage_connections/);
    expect(await h.project.hosts.get('web-01')).toEqual(before);
  });

  it('groups set and remove: members, config and name, either way; nothing else changes', async () => {
    await h.project.hosts.add({ name: 'db-1' });
    const here = await served.local('groups', 'set', 'web', '--members', 'web-01', 'db-1');
    expect([here.code, here.stderr]).toEqual([0, '']);
    expect(here.stdout).toBe('changed group web: members - → db-1,web-01\n');
    const there = await served.remote(
      changer,
      'groups',
      'set',
      'web',
      '--config',
      'port: 2200',
      '--rename',
      'front',
    );
    expect([there.code, there.stderr]).toEqual([0, '']);
    expect(there.stdout).toBe('changed group web: name web → front, config {} → {"port":2200}\n');
    expect((await h.project.hosts.get('db-1')).groups).toEqual(['front']);
    expect((await served.local('groups', 'set', 'front')).stderr).toBe(
      'minke: error: name what to change (--rename, --config, --comment, --members)\n',
    );
    const refused = await served.remote(
      changer,
      'groups',
      'set',
      'front',
      '--config',
      '{identityFiles: [/root/.ssh/id_ed25519]}',
    );
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^minke: error: .*manage_connections/);
    const removed = await served.remote(changer, 'groups', 'remove', 'front');
    expect([removed.code, removed.stdout]).toEqual([
      0,
      'removed group front (2 host(s) left it)\n',
    ]);
    expect((await h.project.hosts.get('db-1')).groups).toEqual([]);
    const gone = await served.local('groups', 'remove', 'front');
    expect([gone.code, gone.stderr]).toEqual([2, 'minke: error: group front does not exist\n']);
  });
});
