import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiHarness } from '../../../test-support/api-harness.js';
import { startServedProject, type ServedProject } from '../../../test-support/served-project.js';
import { parseCsv } from '../../inventory/parse-csv.js';

/** More records than one page of the export (a thousand), so paging is part of every read. */
const SERVICES = 2_345;

/** Names a spreadsheet would take for formulas, and text that needs CSV quoting. */
const AWKWARD = ['=HYPERLINK("http://x")', '+1', '-rm', '@sum', 'a, "quoted"\nname'];

// `minke records export` on a project folder, and with --server through a server on 127.0.0.1
// that serves the same SQLite file (`GET /api/records/:model/export.csv`), as a token's user.
describe('records export as CSV, on the project and through --server', { timeout: 180_000 }, () => {
  let served: ServedProject;
  let h: ApiHarness;
  let viewer: string;
  let noHosts: string;
  let noServices: string;
  const local = (...args: string[]) => served.local(...args);
  const remote = (token: string, ...args: string[]) => served.remote(token, ...args);
  const rowsOf = (text: string) => parseCsv(text).map((row) => row.cells);

  beforeAll(async () => {
    served = await startServedProject('records-export');
    h = served.h;
    await h.user('viewer', { permissions: ['view_host', 'view_service'] });
    await h.user('no-hosts', { permissions: ['view_service'] });
    await h.user('no-services', { permissions: ['view_host'] });
    viewer = (await h.withToken('viewer')).token;
    noHosts = (await h.withToken('no-hosts')).token;
    noServices = (await h.withToken('no-services')).token;
    await h.project.hosts.addGroup({ name: 'web' });
    await h.project.hosts.add({ name: 'web-1', groups: ['web'], port: 2222 });
    await h.project.hosts.add({ name: 'db-1' });
    const hosts = [(await h.project.hosts.get('web-1')).id, (await h.project.hosts.get('db-1')).id];
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
    const failed = await local('records', 'export', 'Service', '--where', 'port >', '--out', file);
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
    expect(readdirSync(served.dir).filter((name) => name.startsWith('.services.csv'))).toEqual([]);
  });
});
