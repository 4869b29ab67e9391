import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiHarness } from '../../../test-support/api-harness.js';
import { startServedProject, type ServedProject } from '../../../test-support/served-project.js';
import { runBuiltCli } from '../../../test-support/run-cli.js';
import { parseCsv } from '../../util/parse-csv.js';

/** More records than one page of the export (a thousand), so paging is part of every read. */
const SERVICES = 2_345;

/** Names a spreadsheet would take for formulas, and text that needs CSV quoting. */
const AWKWARD = ['=HYPERLINK("http://x")', '+1', '-rm', '@sum', 'a, "quoted"\nname'];

// `minke records export` and `records import` on a project folder, and with --server through a
// server on 127.0.0.1 that serves the same SQLite file (`GET /api/records/:model/export.csv`, the
// record routes), as a token's user.
describe(
  'records export and import as CSV, on the project and through --server',
  { timeout: 180_000 },
  () => {
    let served: ServedProject;
    let h: ApiHarness;
    let viewer: string;
    let noHosts: string;
    let noServices: string;
    let editor: string;
    const local = (...args: string[]) => served.local(...args);
    const remote = (token: string, ...args: string[]) => served.remote(token, ...args);
    const rowsOf = (text: string) => parseCsv(text).map((row) => row.cells);

    beforeAll(async () => {
      served = await startServedProject('records-export');
      h = served.h;
      await h.user('viewer', { permissions: ['view_host', 'view_service'] });
      await h.user('no-hosts', { permissions: ['view_service'] });
      await h.user('no-services', { permissions: ['view_host'] });
      await h.user('editor', {
        permissions: ['view_host', 'change_host', 'view_service', 'add_service', 'change_service'],
      });
      viewer = (await h.withToken('viewer')).token;
      noHosts = (await h.withToken('no-hosts')).token;
      noServices = (await h.withToken('no-services')).token;
      editor = (await h.withToken('editor')).token;
      await h.project.hosts.addGroup({ name: 'web' });
      await h.project.hosts.add({ name: 'web-1', groups: ['web'], port: 2222 });
      await h.project.hosts.add({ name: 'db-1' });
      const hosts = [
        (await h.project.hosts.get('web-1')).id,
        (await h.project.hosts.get('db-1')).id,
      ];
      for (let i = 0; i < SERVICES; i++) {
        await h.project.records.create('Service', {
          host: hosts[i % 2],
          name: AWKWARD[i] ?? `svc-${String(i).padStart(5, '0')}`,
          kind: i % 2 === 0 ? 'web' : 'db',
          port: i % 3 === 0 ? null : 8000 + i,
        });
      }
    });
    afterAll(() => served.close());

    it('writes every record, refs named, in the same bytes on both sides', async () => {
      const here = await local('records', 'export', 'Service');
      expect([here.code, here.stderr]).toEqual([0, '']);
      expect(here.stdout.split('\n')[0]).toBe('id,host,name,kind,port,created_at,updated_at');
      const rows = rowsOf(here.stdout);
      expect(rows).toHaveLength(SERVICES);
      const ids = await h.project.records.ids('Service', {});
      expect(new Set(rows.map((row) => Number(row['id'])))).toEqual(new Set(ids));
      // In the model's order (by name), the host by its name, an empty optional as nothing.
      expect(rows.find((row) => row['name'] === 'svc-00006')).toMatchObject({
        host: 'web-1',
        kind: 'web',
        port: '',
      });
      expect(rows.find((row) => row['name'] === 'svc-00007')).toMatchObject({
        host: 'db-1',
        kind: 'db',
        port: '8007',
      });
      const there = await remote(viewer, 'records', 'export', 'Service');
      expect([there.code, there.stderr]).toEqual([0, '']);
      expect(there.stdout).toBe(here.stdout);
      // A blank filter is no filter, on both sides.
      const blank = await local('records', 'export', 'Service', '--where', ' ');
      expect(blank.stdout).toBe(here.stdout);
    });

    it('keeps a spreadsheet from reading names as formulas, and quotes what needs it', async () => {
      const here = await local('records', 'export', 'Service', '--where', 'not name ^= svc-');
      const names = rowsOf(here.stdout).map((row) => row['name']);
      expect(names.sort()).toEqual(
        ["'+1", "'-rm", '\'=HYPERLINK("http://x")', "'@sum", 'a, "quoted"\nname'].sort(),
      );
      expect(here.stdout).toContain('"\'=HYPERLINK(""http://x"")"');
    });

    it('takes the filter, search and order of records list', async () => {
      const args = [
        '--where',
        'kind = db and host.name = db-1',
        '--search',
        'svc-0001',
        '--order',
        '-name',
      ];
      const here = await local('records', 'export', 'Service', ...args);
      expect([here.code, here.stderr]).toEqual([0, '']);
      expect(rowsOf(here.stdout).map((row) => row['name'])).toEqual([
        'svc-00019',
        'svc-00017',
        'svc-00015',
        'svc-00013',
        'svc-00011',
      ]);
      const there = await remote(viewer, 'records', 'export', 'Service', ...args);
      expect(there.stdout).toBe(here.stdout);
    });

    it('exports hosts with their groups, and a ref the user may not view as its id', async () => {
      const hosts = await remote(viewer, 'records', 'export', 'Host');
      expect(hosts.stdout.split('\n')[0]).toBe(
        'id,name,groups,hostname,port,user,config,disabled,comment,created_at,updated_at',
      );
      expect(rowsOf(hosts.stdout).map((row) => [row['name'], row['groups'], row['port']])).toEqual([
        ['db-1', '', ''],
        ['web-1', 'web', '2222'],
      ]);
      const blind = await remote(
        noHosts,
        'records',
        'export',
        'Service',
        '--where',
        'name = svc-00006',
      );
      expect([blind.code, blind.stderr]).toEqual([0, '']);
      const webId = String((await h.project.hosts.get('web-1')).id);
      expect(rowsOf(blind.stdout)).toMatchObject([{ name: 'svc-00006', host: webId }]);
    });

    it('refuses a user without the view permission, and a filter that does not parse', async () => {
      const refused = await remote(noServices, 'records', 'export', 'Service');
      // As `records list` answers: the models the token's user may view are the ones it knows.
      expect([refused.code, refused.stderr]).toEqual([
        2,
        'minke: error: unknown model "Service" (known: Host)\n',
      ]);
      expect(refused.stdout).toBe('');
      const api = await (await h.withToken('no-services')).get('/api/records/Service/export.csv');
      expect(api.statusCode).toBe(403);
      expect(api.json()).toMatchObject({
        error: { message: expect.stringContaining('view_service') as unknown },
      });

      for (const run of [local, (...a: string[]) => remote(viewer, ...a)]) {
        const bad = await run('records', 'export', 'Service', '--where', 'port >');
        expect([bad.code, bad.stdout]).toEqual([2, '']);
        expect(bad.stderr).toMatch(/^minke: error: invalid --where at character \d+ of "port >"/);
        const order = await run('records', 'export', 'Service', '--order', 'nope');
        expect([order.code, order.stderr]).toEqual([
          2,
          'minke: error: cannot order Service by "nope": no such field\n',
        ]);
      }
    });

    it('answers the API with a CSV download that says how many records follow', async () => {
      const api = await (
        await h.withToken('viewer')
      ).get('/api/records/Service/export.csv?where=kind%20%3D%20web&order=name');
      expect(api.statusCode).toBe(200);
      expect(api.headers['content-type']).toBe('text/csv; charset=utf-8');
      expect(api.headers['content-disposition']).toMatch(
        /^attachment; filename="Service-\d{4}-\d{2}-\d{2}\.csv"$/,
      );
      expect(api.headers['cache-control']).toBe('no-store');
      const rows = rowsOf(api.body);
      expect(api.headers['x-total-count']).toBe(String(rows.length));
      expect(rows.length).toBe(Math.ceil(SERVICES / 2));
    });

    it('writes --out whole, and leaves an existing file alone when the export fails', async () => {
      const file = join(served.dir, 'services.csv');
      const done = await remote(viewer, 'records', 'export', 'Service', '--out', file);
      expect([done.code, done.stderr, done.stdout]).toEqual([
        0,
        '',
        `exported ${SERVICES} Service record(s) to ${file}\n`,
      ]);
      expect(rowsOf(readFileSync(file, 'utf8'))).toHaveLength(SERVICES);

      writeFileSync(file, 'kept\n');
      const failed = await local(
        'records',
        'export',
        'Service',
        '--where',
        'port >',
        '--out',
        file,
      );
      expect(failed.code).toBe(2);
      expect(readFileSync(file, 'utf8')).toBe('kept\n');
      const missing = await local(
        'records',
        'export',
        'Service',
        '--out',
        join(served.dir, 'no', 'x.csv'),
      );
      expect([missing.code, missing.stderr]).toEqual([
        2,
        `minke: error: cannot write ${join(served.dir, 'no', 'x.csv')}: ENOENT\n`,
      ]);
      expect(existsSync(join(served.dir, 'no'))).toBe(false);
      // No hidden part-written file is left beside it.
      expect(readdirSync(served.dir).filter((name) => name.startsWith('.services.csv'))).toEqual(
        [],
      );
    });
    it('reads an export back with records import: changes what differs, adds rows without an id', async () => {
      const file = join(served.dir, 'round-trip.csv');
      const where = ['--where', 'name ^= svc-0000', '--out', file];
      expect((await local('records', 'export', 'Service', ...where)).code).toBe(0);
      const same = await remote(editor, 'records', 'import', 'Service', file);
      expect([same.code, same.stderr, same.stdout]).toEqual([
        0,
        '',
        `${file}: 0 added, 0 changed, 5 unchanged\n`,
      ]);
      const text = readFileSync(file, 'utf8')
        .replace(/^(\d+),web-1,svc-00006,web,,/m, '$1,db-1,svc-00006,db,8443,')
        .concat(',web-1,svc-new,cache,9000,,\n');
      writeFileSync(file, text);
      const dry = await local('records', 'import', 'Service', file, '--dry-run');
      expect(dry.stdout).toMatch(
        /^would change svc-00006 \(Service #\d+\): host web-1 → db-1, kind web → db, port - → 8443\nwould add Service from line 7: host web-1, name svc-new, kind cache, port 9000\n.*: 1 would be added, 1 would be changed, 4 unchanged\n$/,
      );
      const svc6 = await h.project.records.findBy('Service', 'name', 'svc-00006');
      expect(svc6).toMatchObject({ kind: 'web', port: null });
      const done = await remote(editor, 'records', 'import', 'Service', file);
      expect([done.code, done.stderr]).toEqual([0, '']);
      expect(done.stdout).toMatch(
        /^changed svc-00006 .*\nadded svc-new \(Service #\d+\)\n.*: 1 added, 1 changed, 4 unchanged\n$/,
      );
      const db1 = (await h.project.hosts.get('db-1')).id;
      expect(await h.project.records.findBy('Service', 'name', 'svc-00006')).toMatchObject({
        host: db1,
        kind: 'db',
        port: 8443,
      });
      // Every write in the audit log, as the token's user.
      const editorId = (await h.project.users.get('editor')).id;
      const audit = await h.project.database.tables
        .selectFrom('minke_audit_log')
        .select(['action', 'actor_id', 'target_name'])
        .where('action', 'in', ['record.create', 'record.update'])
        .where('actor_id', '=', editorId)
        .execute();
      expect(audit.map((row) => [row.action, row.target_name]).sort()).toEqual([
        ['record.create', 'svc-new'],
        ['record.update', 'svc-00006'],
      ]);
    });

    it('imports through the API in one request, as the caller, every row checked first', async () => {
      const api = await h.withLogin('editor');
      const web1 = (await h.project.hosts.get('web-1')).id;
      const svc8 = await h.project.records.findBy('Service', 'name', 'svc-00008');
      const csv = `id,host,name,port\n${svc8?.id},db-1,svc-00008,8080\n,web-${1},svc-api,\n,${web1},svc-api-2,7\n`;
      const dry = await api.post('/api/records/Service/import', { csv, dryRun: true });
      expect(dry.statusCode).toBe(200);
      expect(dry.json()).toEqual({
        dryRun: true,
        added: 2,
        changed: 1,
        unchanged: 0,
        rows: [
          {
            line: 2,
            outcome: 'changed',
            label: `svc-00008 (Service #${svc8?.id})`,
            changes: [
              { field: 'host', before: 'web-1', after: 'db-1' },
              { field: 'port', before: '8008', after: '8080' },
            ],
          },
          {
            line: 3,
            outcome: 'added',
            label: 'Service from line 3',
            changes: [
              { field: 'host', before: '-', after: 'web-1' },
              { field: 'name', before: '-', after: 'svc-api' },
            ],
          },
          {
            line: 4,
            outcome: 'added',
            label: 'Service from line 4',
            changes: [
              { field: 'host', before: '-', after: 'web-1' },
              { field: 'name', before: '-', after: 'svc-api-2' },
              { field: 'port', before: '-', after: '7' },
            ],
          },
        ],
      });
      expect(await h.project.records.findBy('Service', 'name', 'svc-api')).toBeUndefined();
      const done = await api.post('/api/records/Service/import', { csv });
      expect(done.statusCode).toBe(200);
      const added = await h.project.records.findBy('Service', 'name', 'svc-api');
      expect(done.json()).toMatchObject({ dryRun: false, added: 2, changed: 1 });
      expect(done.json().rows[1]).toEqual({
        line: 3,
        outcome: 'added',
        label: `svc-api (Service #${added?.id})`,
        changes: [
          { field: 'host', before: '-', after: 'web-1' },
          { field: 'name', before: '-', after: 'svc-api' },
        ],
      });
      expect(added).toMatchObject({ host: web1, port: null });

      // Bad rows: a 400 naming each line in `fields`; nothing written, not even the good rows.
      const bad = await api.post('/api/records/Service/import', {
        csv: 'host,name,port\nweb-1,svc-fine,1\nnowhere,svc-x,2\nweb-1,svc-y,many\n',
      });
      expect([bad.statusCode, bad.json().error]).toEqual([
        400,
        {
          code: 'input',
          message: 'nothing imported: 2 row(s) with errors',
          fields: {
            'line 3': 'host: no Host named "nowhere" (a ref takes the target\'s id or name)',
            'line 4': 'port: "many" is not a number',
          },
        },
      ]);
      expect(await h.project.records.findBy('Service', 'name', 'svc-fine')).toBeUndefined();

      // A host named by a user who may not view hosts: refused, no hint whether it exists.
      await h.user('adder', { permissions: ['view_service', 'add_service'] });
      const adder = await h.withToken('adder');
      const hidden = await adder.post('/api/records/Service/import', {
        csv: 'host,name\nweb-1,svc-hidden\n',
      });
      expect([hidden.statusCode, hidden.json().error.fields]).toEqual([
        400,
        { 'line 2': "you may not view Host records: give the Host's id, not its name" },
      ]);
      // A dry run checks the permissions the rows need as well: changes need change_service.
      const change = await adder.post('/api/records/Service/import', {
        csv: `id,port\n${svc8?.id},9\n`,
        dryRun: true,
      });
      expect([change.statusCode, change.json().error.message]).toEqual([
        403,
        'you may not change Service: it needs the permission change_service',
      ]);
      // Without the view permission, not even a dry run.
      const blind = await (
        await h.withToken('no-services')
      ).post('/api/records/Service/import', {
        csv: 'name\nx\n',
        dryRun: true,
      });
      expect(blind.statusCode).toBe(403);
      // Put the store back as the other tests expect it.
      await h.project.records.delete('Service', added?.id ?? 0);
      const second = await h.project.records.findBy('Service', 'name', 'svc-api-2');
      await h.project.records.delete('Service', second?.id ?? 0);
      await h.project.records.update('Service', svc8?.id ?? 0, { host: web1, port: 8008 });
    });

    it('says what to do when the server goes away during an import', async () => {
      // A server that names the model, then reads the import's request and drops the connection
      // (as a kill -9 does).
      const dropping = createServer((request, reply) => {
        if (request.method === 'POST') request.once('data', () => request.socket.destroy());
        else
          reply
            .writeHead(200, { 'content-type': 'application/json' })
            .end(JSON.stringify({ name: 'Service', fields: [{ name: 'name', kind: 'text' }] }));
      });
      await new Promise<void>((done) => dropping.listen(0, '127.0.0.1', done));
      const { port } = dropping.address() as AddressInfo;
      const file = join(served.dir, 'dropped.csv');
      writeFileSync(file, 'host,name\nweb-1,x\n');
      try {
        const result = await runBuiltCli(
          ['--server', `http://127.0.0.1:${port}`, 'records', 'import', 'Service', file],
          { env: { MINKE_TOKEN: editor, MINKE_SERVER_URL: undefined, MINKE_PROJECT: undefined } },
        );
        expect(result.code).toBe(1);
        expect(result.stderr).toMatch(
          /^minke: error: cannot reach the Minke server at http:\/\/127\.0\.0\.1:\d+: .*; if the server stopped during the import, the rows it wrote stay written: run the same import again to finish/,
        );
      } finally {
        await new Promise((done) => dropping.close(done));
      }
    });

    it('imports nothing from a file with a bad row, and names every bad row', async () => {
      const file = join(served.dir, 'bad.csv');
      const before = await local('records', 'export', 'Service');
      writeFileSync(
        file,
        'id,host,name,port\n,web-1,fine,1\n,nowhere,a,2\n999999,web-1,b,3\n,web-1,c,many\n',
      );
      const bad = await remote(editor, 'records', 'import', 'Service', file);
      expect([bad.code, bad.stdout]).toEqual([2, '']);
      expect(bad.stderr).toBe(
        [
          `${file} line 3: host: no Host named "nowhere" (a ref takes the target's id or name)`,
          `${file} line 4: Service 999999 does not exist`,
          `${file} line 5: port: "many" is not a number`,
          'minke: error: nothing imported: 3 row(s) with errors, above',
          '',
        ].join('\n'),
      );
      writeFileSync(file, 'id,host,name,colour\n,web-1,x,red\n');
      const column = await local('records', 'import', 'Service', file);
      expect([column.code, column.stderr]).toEqual([
        2,
        'minke: error: column "colour" is not a field of Service (fields: host, name, kind, port)\n',
      ]);
      // A file larger than an import takes: said before anything is sent.
      writeFileSync(file, `host,name\n${'web-1,x\n'.repeat(4_300_000)}`);
      const big = await remote(editor, 'records', 'import', 'Service', file);
      expect([big.code, big.stderr]).toEqual([
        2,
        `minke: error: ${file} is 33 MiB; an import takes 32 MiB at most: split it into smaller files\n`,
      ]);
      // A user who may view but not add: refused by the server, nothing written.
      writeFileSync(file, 'host,name\nweb-1,refused\n');
      const refused = await remote(viewer, 'records', 'import', 'Service', file);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toBe(
        'minke: error: you may not add Service: it needs the permission add_service\n',
      );
      expect((await local('records', 'export', 'Service')).stdout).toBe(before.stdout);
    });
  },
);
