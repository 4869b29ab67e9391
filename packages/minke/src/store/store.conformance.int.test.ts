import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { backendFactories, type TestBackend } from '../../test-support/databases.js';
import { App, Backup, Module, Server, demoModels } from '../../test-support/demo-models.js';
import { defineModel } from '../model/define-model.js';
import { f } from '../model/fields.js';
import { resolveHosts } from '../model/host-lookup.js';
import type { OpenedProject } from '../runtime/open-project.js';
import { parseWhere } from '../query/parse-where.js';

const tmp = mkdtempSync(join(tmpdir(), 'minke-store-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

// One suite, every backend: a store feature is done when it passes on SQLite and PostgreSQL.
describe.each(backendFactories(() => tmp))('store on $name', ({ make }) => {
  let backend: TestBackend;
  let project: OpenedProject;

  beforeEach(async () => {
    backend = make();
    project = await backend.open(demoModels);
  });
  afterEach(async () => {
    await project.close();
    await backend.cleanup();
  });

  async function seed() {
    await project.hosts.addGroup({ name: 'web', config: 'user: deploy' });
    const web1 = await project.hosts.add({ name: 'web-1.example.com', port: 22, groups: ['web'] });
    const web2 = await project.hosts.add({ name: 'web-2', hostname: '10.0.0.2', groups: ['web'] });
    const db1 = await project.hosts.add({
      name: 'db-1',
      disabled: true,
      comment: 'primary database',
    });
    const s1 = await project.records.create('Server', {
      host: web1.id,
      role: 'web',
      os: 'Debian 12',
      cores: 4,
    });
    const s2 = await project.records.create('Server', {
      host: web2.id,
      role: 'web',
      os: 'Debian 11',
      cores: 2,
    });
    const s3 = await project.records.create('Server', {
      host: db1.id,
      role: 'db',
      os: 'Ubuntu 24.04',
      cores: 16,
    });
    const drupal = await project.records.create('App', {
      server: s1.id,
      name: 'drupal',
      version: '10.2',
      settings: { php: '8.3' },
    });
    const wp = await project.records.create('App', {
      server: s2.id,
      name: 'wordpress',
      version: '6.5',
    });
    await project.records.create('App', { server: s3.id, name: 'postgres', version: '16' });
    await project.records.create('Module', { app: drupal.id, name: 'views', version: '10.2.1' });
    await project.records.create('Module', { app: drupal.id, name: 'token', enabled: false });
    await project.records.create('Module', { app: wp.id, name: 'akismet' });
    return { web1, web2, db1, s1, s2, s3, drupal, wp };
  }

  it('applies migrations once and reopens without changes', async () => {
    expect(project.applied.migrations).toEqual([
      '0001-hosts-and-users',
      '0002-session-runs',
      '0003-permissions',
      '0004-agents-and-facts',
      '0005-auth',
      '0006-run-state-indexes',
      '0007-agent-refusals',
      '0008-command-output',
      '0009-executor-owners',
      '0010-credentials',
      '0011-host-keys',
      '0012-audit-log',
      '0013-session-clears',
      '0014-jobs-and-schedules',
      '0015-rollouts-and-notifications',
      '0016-policies',
      '0017-inventory-sources',
      '0018-agent-presence',
      '0019-list-indexes',
      '0020-current-session-index',
      '0021-run-records-index',
      '0022-run-secret-values',
      '0023-agent-list-index',
      '0024-audit-target-index',
      '0025-run-time-limits',
      '0026-run-wide-limits',
    ]);
    expect(project.applied.permissions).toEqual(
      expect.arrayContaining(['view_host', 'change_server', 'delete_module']),
    );
    expect(project.applied.changes.map((c) => `${c.model}:${c.action}`)).toEqual([
      'Server:create table',
      'App:create table',
      'Module:create table',
      'Backup:create table',
    ]);
    const again = await backend.reopen(demoModels);
    expect(again.applied).toEqual({
      migrations: [],
      changes: [],
      permissions: [],
      searchIndexes: [],
      notes: [],
    });
    await again.close();
  });

  it('adds, lists, shows and removes hosts with their groups', async () => {
    await seed();
    const page = await project.hosts.list();
    expect(page.items.map((h) => h.name)).toEqual(['db-1', 'web-1.example.com', 'web-2']);
    const web1 = await project.hosts.get('web-1.example.com');
    expect(web1).toMatchObject({ port: 22, disabled: false, groups: ['web'], config: {} });
    expect((await project.hosts.get('db-1'))['disabled']).toBe(true);
    const groups = await project.hosts.listGroups();
    expect(groups).toEqual([
      expect.objectContaining({ name: 'web', hosts: 2, config: { user: 'deploy' } }),
    ]);
    await project.hosts.remove('web-2');
    await expect(project.hosts.get('web-2')).rejects.toThrow('host web-2 does not exist');
    // Removing a host removes what hangs on it (Server -> App -> Module), as a cascade.
    expect((await project.records.list('Server')).total).toBe(2);
    expect((await project.records.list('Module')).total).toBe(2);
  });

  it('refuses bad host input with messages that say what is wrong', async () => {
    await project.hosts.add({ name: 'web-1' });
    await expect(project.hosts.add({ name: 'web-1' })).rejects.toThrow('host web-1 already exists');
    await expect(project.hosts.add({ name: 'web_1' })).rejects.toThrow('invalid host name "web_1"');
    await expect(project.hosts.add({ name: '-web' })).rejects.toThrow('invalid host name');
    await expect(project.hosts.add({ name: 'x', port: 70000 })).rejects.toThrow(
      'invalid port 70000',
    );
    await expect(project.hosts.add({ name: 'x', config: '- a\n- b' })).rejects.toThrow(
      'host x: the config must be a mapping of settings (key: value), not a list',
    );
    await expect(project.hosts.add({ name: 'x', config: 'foobar' })).rejects.toThrow(
      'not a string ("foobar")',
    );
    await expect(project.hosts.add({ name: 'x', config: 'a: 1\n b: [' })).rejects.toThrow(
      /host x: the config is not valid YAML or JSON at line \d+, column \d+/,
    );
    await expect(
      project.hosts.add({ name: 'x', config: 'colour: red\nport: ssh' }),
    ).rejects.toThrow('host x: invalid connection config: port: ');
    await expect(project.hosts.add({ name: 'x', config: { colour: 'red' } })).rejects.toThrow(
      'host x: invalid connection config: unknown setting(s) colour',
    );
    await expect(project.hosts.add({ name: 'x', groups: ['nope'] })).rejects.toThrow(
      'unknown group(s): nope',
    );
    // Nothing half-written: none of the refused hosts exists.
    expect((await project.hosts.list()).items.map((h) => h.name)).toEqual(['web-1']);
  });

  it('filters through refs, searches, orders and pages', async () => {
    const { drupal } = await seed();
    const where = async (model: string, expr: string) =>
      (await project.records.list(model, { filter: parseWhere(expr) })).items.map(
        (r) => r['name'] ?? r['os'],
      );
    expect(await where('App', 'server.host.name = web-1.example.com')).toEqual(['drupal']);
    expect(
      await where('Module', 'app.server.host.name = "web-1.example.com" and enabled = true'),
    ).toEqual(['views']);
    expect(await where('Module', 'app.server.host.groups.name = web')).toEqual([
      'views',
      'token',
      'akismet',
    ]);
    expect(await where('App', 'server.cores >= 4')).toEqual(['drupal', 'postgres']);
    expect(await where('App', 'server.host.disabled = true or version ^= 6')).toEqual([
      'postgres',
      'wordpress',
    ]);
    expect(await where('App', 'not server.role = web')).toEqual(['postgres']);
    expect(await where('App', 'name in (drupal, wordpress)')).toEqual(['drupal', 'wordpress']);
    // A long list (joined as an array's rows on PostgreSQL), through a ref and on Host itself.
    const many = Array.from({ length: 12 }, (_, i) => `"other-${i}"`).join(', ');
    expect(await where('App', `name in (${many}, wordpress, "o'brien")`)).toEqual(['wordpress']);
    expect(await where('App', `server.host.name in (${many}, web-2, db-1)`)).toEqual([
      'postgres',
      'wordpress',
    ]);
    expect(await where('Host', `name in (${many}, db-1)`)).toEqual(['db-1']);
    expect(await where('Server', `role in (${many}, db)`)).toEqual(['Ubuntu 24.04']);
    expect(await where('App', 'settings.php = "8.3"')).toEqual(['drupal']);
    expect(await where('Server', 'os ~ debian')).toEqual(['Debian 12', 'Debian 11']);
    expect(await where('Server', 'host = web-2')).toEqual(['Debian 11']);
    expect(await where('App', 'version is null')).toEqual([]);
    expect(await where('Module', 'version is null')).toEqual(['token', 'akismet']);
    expect(await where('Module', `app = ${drupal.id}`)).toEqual(['views', 'token']);
    expect(await where('Host', 'groups.name = web and comment is null')).toEqual([
      'web-1.example.com',
      'web-2',
    ]);
    expect(await where('Host', 'groups.name = web and comment exists')).toEqual([]);

    const search = await project.records.list('Host', { search: 'PRIMARY' });
    expect(search.items.map((h) => h['name'])).toEqual(['db-1']);
    // A % in a search is a character, not a wildcard.
    expect((await project.records.list('Host', { search: '%' })).total).toBe(0);

    const ordered = await project.records.list('Server', { order: ['-cores'] });
    expect(ordered.items.map((s) => s['cores'])).toEqual([16, 4, 2]);
    const page1 = await project.records.list('Module', { order: ['name'], limit: 2 });
    const page2 = await project.records.list('Module', { order: ['name'], limit: 2, offset: 2 });
    expect([...page1.items, ...page2.items].map((m) => m['name'])).toEqual([
      'akismet',
      'token',
      'views',
    ]);
    expect(page1.total).toBe(3);
  });

  it('says which filter is wrong', async () => {
    await seed();
    const list = (model: string, expr: string) =>
      project.records.list(model, { filter: parseWhere(expr) });
    await expect(list('App', 'server.nope = 1')).rejects.toThrow(
      'filter "server.nope": Server has no field "nope"',
    );
    await expect(list('App', 'name.x = 1')).rejects.toThrow('"name" is a text field, not a ref');
    await expect(list('Server', 'cores > many')).rejects.toThrow('cores: "many" is not a int');
    await expect(project.records.list('App', { order: ['colour'] })).rejects.toThrow(
      'cannot order App by "colour"',
    );
  });

  it('validates records on create and update, keeping data intact', async () => {
    const { s1, drupal } = await seed();
    await expect(project.records.create('App', { name: 'x' })).rejects.toThrow(
      'invalid App: server:',
    );
    await expect(
      project.records.create('App', { server: s1.id, name: 'x', colour: 'red' }),
    ).rejects.toThrow('App has no field "colour"');
    await expect(project.records.create('Server', { host: 999, role: 'web' })).rejects.toThrow(
      'Host 999 does not exist',
    );
    await expect(project.records.create('Server', { host: 1, role: 'mainframe' })).rejects.toThrow(
      'invalid Server: role:',
    );
    await expect(
      project.records.create('Server', { host: s1['host'], role: 'web' }),
    ).rejects.toThrow('another record already has this host');
    await expect(
      project.records.create('App', { server: s1.id, name: 'x', deployed_at: 'yesterday' }),
    ).rejects.toThrow('must be an ISO-8601 date and time');
    const updated = await project.records.update('App', drupal.id, {
      version: '11.0',
      deployed_at: '2026-01-02T03:04:05+01:00',
    });
    expect(updated).toMatchObject({
      name: 'drupal',
      version: '11.0',
      settings: { php: '8.3' },
      deployed_at: '2026-01-02T02:04:05.000Z',
    });
    const later = await project.records.list('App', {
      filter: parseWhere('deployed_at > "2026-01-01T00:00:00Z"'),
    });
    expect(later.items.map((a) => a['name'])).toEqual(['drupal']);
    await expect(project.records.update('App', 4242, { version: '1' })).rejects.toThrow(
      'App 4242 does not exist',
    );
  });

  it('resolves each record to its host, with an error for one that reaches none', async () => {
    const { web1, s1, drupal } = await seed();
    const modules = await project.records.ids('Module', {
      filter: parseWhere('app.name = drupal'),
    });
    const resolved = await resolveHosts(project.database, project.models, 'Module', modules);
    expect([...resolved.values()]).toEqual([{ hostId: web1.id }, { hostId: web1.id }]);
    expect(await resolveHosts(project.database, project.models, 'Server', [s1.id])).toEqual(
      new Map([[s1.id, { hostId: web1.id }]]),
    );
    expect(await resolveHosts(project.database, project.models, 'App', [drupal.id])).toEqual(
      new Map([[drupal.id, { hostId: web1.id }]]),
    );
    const orphan = await project.records.create('Backup', { label: 'nowhere' });
    const result = await resolveHosts(project.database, project.models, 'Backup', [orphan.id]);
    expect(result.get(orphan.id)).toEqual({ error: 'reaches no host: Backup.host is empty' });
  });

  it('adds new columns by itself and refuses destructive changes with what to do', async () => {
    await seed();
    await project.close();
    const ServerV2 = defineModel('Server', {
      fields: {
        ...Server.fields,
        kernel: f.text({ optional: true }),
        rack: f.text({ default: 'r1' }),
      },
      hostLookup: 'host',
    });
    project = await backend.reopen([ServerV2, App, Module, Backup]);
    expect(project.applied.changes).toEqual([
      { model: 'Server', action: 'add column', column: 'kernel' },
      { model: 'Server', action: 'add column', column: 'rack' },
    ]);
    expect((await project.records.list('Server')).items.map((s) => s['rack'])).toEqual([
      'r1',
      'r1',
      'r1',
    ]);
    await project.close();

    const required = defineModel('Server', {
      fields: { ...ServerV2.fields, serial: f.text() },
      hostLookup: 'host',
    });
    await expect(backend.reopen([required, App, Module, Backup])).rejects.toThrow(
      'model Server, new field serial: it is required, but the table already has 3 record(s)',
    );
    const { kernel: _kernel, ...withoutKernel } = ServerV2.fields;
    const dropped = defineModel('Server', { fields: withoutKernel, hostLookup: 'host' });
    await expect(backend.reopen([dropped, App, Module, Backup])).rejects.toThrow(
      'model Server: field kernel was removed, but its column still holds data. Put the field back, or run `minke migrate --drop-column Server.kernel`',
    );
    const retyped = defineModel('Server', {
      fields: { ...ServerV2.fields, cores: f.text({ optional: true }) },
      hostLookup: 'host',
    });
    await expect(backend.reopen([retyped, App, Module, Backup])).rejects.toThrow(
      'model Server, field cores: its type changed from int to text',
    );
    // The refused changes changed nothing: the old definition still opens cleanly.
    project = await backend.reopen([ServerV2, App, Module, Backup]);
    expect(project.applied.changes).toEqual([]);
    await project.close();

    project = await backend.reopen([dropped, App, Module, Backup], {
      dropColumns: ['Server.kernel'],
    });
    expect(project.applied.changes).toEqual([
      { model: 'Server', action: 'drop column', column: 'kernel' },
    ]);
    expect((await project.records.list('Server')).total).toBe(3);
  });

  it('creates users with hashed passwords and authenticates them', async () => {
    const user = await project.users.create({
      username: 'alice',
      password: 'correct horse',
      superuser: true,
    });
    expect(user).toMatchObject({ username: 'alice', isSuperuser: true, isActive: true });
    const row = await project.database.db
      .selectFrom('minke_users')
      .select('password_hash')
      .executeTakeFirstOrThrow();
    expect(row.password_hash).toMatch(/^\$argon2id\$/);
    expect(row.password_hash).not.toContain('correct horse');
    expect(await project.users.authenticate('alice', 'correct horse')).toMatchObject({
      username: 'alice',
    });
    expect(await project.users.authenticate('alice', 'wrong')).toBeUndefined();
    await expect(
      project.users.create({ username: 'alice', password: 'another one' }),
    ).rejects.toThrow('user alice already exists');
    await expect(project.users.create({ username: 'bob', password: 'short' })).rejects.toThrow(
      'the password is too short',
    );
  });
});
