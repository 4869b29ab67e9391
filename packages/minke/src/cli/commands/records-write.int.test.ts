import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiHarness } from '../../../test-support/api-harness.js';
import { startServedProject, type ServedProject } from '../../../test-support/served-project.js';

// `minke records show|add|set|delete` on a project folder, and with --server through a server on
// 127.0.0.1 that serves the same SQLite file, as the token's user.
describe(
  'records show, add, set and delete, on the project and through --server',
  { timeout: 180_000 },
  () => {
    let served: ServedProject;
    let h: ApiHarness;
    let editor: string;
    let viewer: string;
    const local = (...args: string[]) => served.local(...args);
    const remote = (token: string, ...args: string[]) => served.remote(token, ...args);
    const auditOf = (action: string) =>
      h.project.database.tables
        .selectFrom('minke_audit_log')
        .select(['actor_id', 'via', 'target_name'])
        .where('action', '=', action)
        .orderBy('id')
        .execute();

    beforeAll(async () => {
      served = await startServedProject('records-write');
      h = served.h;
      const permissions = ['view_host', 'change_host', 'view_service', 'add_service'];
      await h.user('editor', {
        permissions: [...permissions, 'change_service', 'delete_service'],
      });
      await h.user('viewer', { permissions: ['view_host', 'view_service'] });
      editor = (await h.withToken('editor')).token;
      viewer = (await h.withToken('viewer')).token;
      for (const name of ['web-1', 'web-2']) await h.project.hosts.add({ name });
    });
    afterAll(() => served.close());

    it('adds records typed by their fields, refs by name or id, either way', async () => {
      const here = await local('records', 'add', 'Service', 'host=web-1', 'name=nginx', 'port=443');
      expect([here.code, here.stderr]).toEqual([0, '']);
      expect(here.stdout).toMatch(/^added nginx \(Service #\d+\)\n$/);
      const web2 = (await h.project.hosts.get('web-2')).id;
      const there = await remote(
        editor,
        'records',
        'add',
        'Service',
        `host=${web2}`,
        'name=postgres',
        'kind=db',
        '--json',
      );
      expect([there.code, there.stderr]).toEqual([0, '']);
      expect(JSON.parse(there.stdout)).toMatchObject({
        host: web2,
        name: 'postgres',
        kind: 'db',
        port: null,
        _label: expect.stringMatching(/^postgres \(Service #\d+\)$/) as unknown,
      });
      // Each in the audit log: the project's as the operator (no user), the server's as the token's.
      const editorId = (await h.project.users.get('editor')).id;
      expect(await auditOf('record.create')).toEqual([
        { actor_id: null, via: 'cli', target_name: 'nginx' },
        { actor_id: editorId, via: 'token test', target_name: 'postgres' },
      ]);
    });

    it('shows one record by name or id the same way on both sides', async () => {
      const here = await local('records', 'show', 'Service', 'nginx');
      expect([here.code, here.stderr]).toEqual([0, '']);
      expect(here.stdout).toMatch(
        /^id: {4}\d+\nlabel: nginx \(Service #\d+\)\nhost: {2}web-1\nname: {2}nginx\nkind: {2}web\nport: {2}443\n$/,
      );
      const id = /^id:\s+(\d+)$/m.exec(here.stdout)?.[1] ?? '';
      const there = await remote(viewer, 'records', 'show', 'Service', id);
      expect(there.stdout).toBe(here.stdout);
      const host = await remote(viewer, 'records', 'show', 'Host', 'web-2', '--json');
      expect(JSON.parse(host.stdout)).toMatchObject({ name: 'web-2', _label: 'web-2' });
    });

    it('changes fields and says what changed; an empty value clears an optional field', async () => {
      const here = await local('records', 'set', 'Service', 'nginx', 'port=8443', 'host=web-2');
      expect([here.code, here.stderr]).toEqual([0, '']);
      expect(here.stdout).toMatch(
        /^changed nginx \(Service #\d+\): host web-1 → web-2, port 443 → 8443\n$/,
      );
      const there = await remote(editor, 'records', 'set', 'Service', 'nginx', 'port=');
      expect([there.code, there.stderr]).toEqual([0, '']);
      expect(there.stdout).toMatch(/: port 8443 → -\n$/);
      const same = await remote(editor, 'records', 'set', 'Service', 'nginx', 'kind=web');
      expect(same.stdout).toMatch(/^no change to nginx \(Service #\d+\)\n$/);
      // A host goes through the host operations: its name rules and audit.
      const host = await local('records', 'set', 'Host', 'web-1', 'comment=the front door');
      expect(host.stdout).toBe('changed web-1: comment - → the front door\n');
      expect((await h.project.hosts.get('web-1'))['comment']).toBe('the front door');
      const badName = await remote(editor, 'records', 'set', 'Host', 'web-1', 'name=Not Valid');
      expect(badName.code).not.toBe(0);
      expect(badName.stderr).toMatch(/^minke: error: .*name/);
      expect((await h.project.hosts.get('web-1'))['name']).toBe('web-1');
    });

    it('says what is wrong, and changes nothing', async () => {
      const cases: [string[], string][] = [
        [
          ['records', 'add', 'Service', 'host=web-1', 'colour=red'],
          'minke: error: colour: not a field of Service (fields: host, name, kind, port)\n',
        ],
        [
          ['records', 'add', 'Service', 'host=web-1', 'name=x', 'port=many'],
          'minke: error: port: "many" is not a number\n',
        ],
        [
          ['records', 'add', 'Service', 'host=web-9', 'name=x'],
          'minke: error: host: no Host named "web-9" (a ref takes the target\'s id or name)\n',
        ],
        [['records', 'add', 'Service', 'name'], 'minke: error: "name": write field=value\n'],
        [['records', 'show', 'Service', 'nope'], 'minke: error: no Service named "nope"\n'],
        [['records', 'delete', 'Service', 'nope'], 'minke: error: no Service named "nope"\n'],
      ];
      for (const [args, message] of cases) {
        const here = await local(...args);
        expect([here.code, here.stderr], args.join(' ')).toEqual([2, message]);
        const there = await remote(editor, ...args);
        expect([there.code, there.stderr], `--server ${args.join(' ')}`).toEqual([2, message]);
      }
      // The model's own rules, from the project and from the server alike.
      const invalid = await local('records', 'add', 'Service', 'host=web-1', 'name=x', 'kind=mail');
      expect(invalid.code).not.toBe(0);
      expect(invalid.stderr).toMatch(/^minke: error: .*kind/);
      const invalidThere = await remote(
        editor,
        'records',
        'add',
        'Service',
        'host=web-1',
        'name=x',
        'kind=mail',
      );
      expect(invalidThere.code).not.toBe(0);
      expect(invalidThere.stderr).toMatch(/^minke: error: .*kind/);
      // A user without the permission is refused by the server.
      const refused = await remote(viewer, 'records', 'set', 'Service', 'nginx', 'port=1');
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(/^minke: error: .*change_service/);
      // Two records of one name: the user names one by id.
      await local('records', 'add', 'Service', 'host=web-2', 'name=postgres');
      const twice = await local('records', 'show', 'Service', 'postgres');
      expect([twice.code, twice.stderr]).toEqual([
        2,
        'minke: error: more than one Service is named "postgres": name it by its id\n',
      ]);
      const { total } = await h.project.records.list('Service', {});
      expect(total).toBe(3);
    });

    it('deletes a record by name or id, audited', async () => {
      const refused = await remote(viewer, 'records', 'delete', 'Service', 'nginx');
      expect(refused.code).toBe(1);
      const here = await local('records', 'delete', 'Service', 'nginx');
      expect([here.code, here.stdout]).toEqual([
        0,
        expect.stringMatching(/^deleted nginx \(Service #\d+\)\n$/),
      ]);
      const ids = await h.project.records.ids('Service');
      const there = await remote(editor, 'records', 'delete', 'Service', String(ids[0]));
      expect([there.code, there.stderr]).toEqual([0, '']);
      expect(there.stdout).toMatch(/^deleted postgres \(Service #\d+\)\n$/);
      expect((await h.project.records.list('Service', {})).total).toBe(1);
      expect((await auditOf('record.delete')).map((row) => row.target_name)).toEqual([
        'nginx',
        'postgres',
      ]);
    });
  },
);
