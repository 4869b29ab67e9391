import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Result } from '@minke/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiHarness } from '../../../test-support/api-harness.js';
import { factResult, useTempSigningKey } from '../../../test-support/facts-fixtures.js';
import type { CliResult } from '../../../test-support/run-cli.js';
import { startServedProject, type ServedProject } from '../../../test-support/served-project.js';
import { AgentStore } from '../../facts/agent-store.js';
import { FactStore } from '../../facts/fact-store.js';

// One project folder and its SQLite file, served by a server on 127.0.0.1: the built `minke`
// reads it once as the local project and once through the server, and must print the same.
const at = (day: number) => new Date(Date.UTC(2026, 0, day, 12)).toISOString();

describe('the same output on the local project and through --server', { timeout: 180_000 }, () => {
  let served: ServedProject;
  let h: ApiHarness;
  let token: string;

  const local = (...args: string[]) => served.local(...args);
  const remote = (...args: string[]) => served.remote(token, ...args);
  /** Runs `args` both ways; both succeed and print the same. */
  const same = async (...args: string[]): Promise<string> => {
    const here: CliResult = await local(...args);
    expect(here.stderr, `local ${args.join(' ')}`).toBe('');
    expect(here.code).toBe(0);
    const there: CliResult = await remote(...args);
    expect(there.stderr, `--server ${args.join(' ')}`).toBe('');
    expect(there.code).toBe(0);
    expect(there.stdout, args.join(' ')).toBe(here.stdout);
    return here.stdout;
  };

  beforeAll(async () => {
    served = await startServedProject('remote-same');
    h = served.h;
    useTempSigningKey(h.project, served.dir);
    await h.user('viewer', { permissions: ['view_host', 'view_service'] });
    token = (await h.withToken('viewer')).token;
    for (const name of ['web-1', 'web-2']) await h.project.hosts.add({ name });
    const facts = new FactStore(h.project.database, new AgentStore(h.project));
    const versions: [string, string, Result['value'], number][] = [
      ['web-1', 'os', { kernel: '6.1.0-17' }, 1],
      ['web-1', 'disk', { root: { used_percent: 41 } }, 2],
      ['web-2', 'os', { kernel: '6.1.0-17' }, 3],
      ['web-1', 'os', { kernel: '6.1.0-18' }, 4],
      ['web-1', 'disk', { root: { used_percent: 57 } }, 5],
    ];
    for (const [node, plugin, value, day] of versions)
      await facts.storeResults([factResult({ node, plugin, value, finishedAt: at(day) })]);
  });
  afterAll(() => served.close());

  it('prints the same facts, history and distribution', async () => {
    expect(await same('facts', 'web-1')).toContain('    "kernel": "6.1.0-18"\n');
    await same('facts', 'show', 'web-1', '--plugin', 'disk', '--json');
    expect(await same('facts', 'history', 'web-1', 'os')).toContain(
      `${at(1)}  (interval)  {"kernel":"6.1.0-17"}`,
    );
    await same('facts', 'history', 'web-1', 'disk', '--limit', '1', '--json');
    const series = ['facts', 'series', 'disk', 'root.used_percent', '--since', at(0)];
    expect(await same(...series, '--until', at(9))).toContain(`web-1  ${at(5)}  57\n`);
    await same(...series, '--until', at(9), '--json');
    expect(await same('facts', 'distribution', 'os', 'kernel')).toMatch(/^6\.1\.0-18\s+1\s+50%$/m);
    await same('facts', 'distribution', 'os', 'kernel', '--json');
  });

  it('prints the same agents list, over more than one API page', async () => {
    expect(await same('agents', 'list')).toMatch(/^web-1\s+web-1\s+offline\s/m);
    const two = JSON.parse(await same('agents', 'list', '--json')) as { node: string }[];
    expect(two.map((agent) => agent.node)).toEqual(['web-1', 'web-2']);
    // 1,001 more: the API gives 1,000 a page, so --server reads two pages (and the local list
    // reads all at once); the same 1,003 agents, in the same order, either way.
    const nodes = Array.from({ length: 1001 }, (_, i) => `edge-${i}`);
    await new AgentStore(h.project).ensureAll(nodes);
    const all = JSON.parse(await same('agents', 'list', '--json')) as { node: string }[];
    expect(all).toHaveLength(1003);
    expect(all.slice(0, 3).map((agent) => agent.node)).toEqual(['edge-0', 'edge-1', 'edge-2']);
    // Narrowed: part of a name in any case, a window, by presence (none is online).
    const nodesOf = async (...args: string[]) =>
      (JSON.parse(await same('agents', 'list', ...args, '--json')) as { node: string }[]).map(
        (agent) => agent.node,
      );
    // edge-99, then edge-990 to edge-999 (as people count): from the second, three.
    expect(await nodesOf('--search', 'EDGE-99', '--offset', '1', '--limit', '3')).toEqual([
      'edge-990',
      'edge-991',
      'edge-992',
    ]);
    expect(await nodesOf('--offline', '--offset', '1001')).toEqual(['web-1', 'web-2']);
    expect(await nodesOf('--online')).toEqual([]);
    // Nothing matching is not nothing enrolled: the line says which.
    expect(await same('agents', 'list', '--online')).toBe(
      'no agents match (leave out --online, --offline, --search and --offset to list them all)\n',
    );
    const both = await local('agents', 'list', '--online', '--offline');
    expect([both.code, both.stderr.trim()]).toEqual([
      2,
      'minke: error: --online and --offline exclude each other: leave both out for all',
    ]);
  });

  it('prints the same policies, hosts and history', async () => {
    // Made on the local project, as its operator; read both ways.
    const set = await local(
      'policies',
      'set',
      'kernel-18',
      '--where',
      'facts.os.kernel = "6.1.0-18"',
    );
    expect(set.stdout).toBe('policy kernel-18 saved; 1 host(s) failing it\n');
    expect(await same('policies')).toMatch(/^kernel-18\s+1\s+1\s+api\s/m);
    await same('policies', 'list', '--json');
    expect(await same('policies', 'show', 'kernel-18')).toMatch(/^web-2\s+FAILING\s/m);
    const shown = JSON.parse(await same('policies', 'show', 'kernel-18', '--json')) as {
      policy: Record<string, unknown>;
    };
    // The policy as the API lists it, without the database's id.
    expect(shown.policy).toEqual(
      expect.objectContaining({ name: 'kernel-18', passing: 1, failing: 1, origin: 'api' }),
    );
    expect(shown.policy).not.toHaveProperty('id');
    await same('policies', 'show', 'kernel-18', '--history', '--json');
  });

  it('prints the same hosts, and adds and removes one through the server as its user may', async () => {
    expect(await same('hosts', 'list')).toMatch(/^web-1\s*$/m);
    await same('hosts', 'list', '--json');
    await same('hosts', 'list', '--where', 'name = web-2', '--json');
    await same('hosts', 'list', '--limit', '1');
    expect(await same('hosts', 'show', 'web-1')).toContain('name:       web-1\n');
    await same('hosts', 'show', 'web-1', '--json');

    // The viewer may not add a host; the same user with add_host and delete_host may.
    const refused = await remote('hosts', 'add', 'db-1', '--port', '2222');
    expect(refused.stderr).toBe(
      'minke: error: you may not add Host: it needs the permission add_host\n',
    );
    expect(refused.code).toBe(1);
    await h.project.permissions.grant((await h.project.users.get('viewer')).id, [
      'add_host',
      'delete_host',
    ]);
    await h.project.hosts.addGroup({ name: 'db' });
    const added = await remote('hosts', 'add', 'db-1', '--port', '2222', '--group', 'db');
    expect([added.stderr, added.code]).toEqual(['', 0]);
    expect(added.stdout).toMatch(/^added host db-1 \(id \d+\)\n$/);
    expect(await same('hosts', 'show', 'db-1', '--json')).toContain('"port": 2222');
    // A connection setting that uses the server's own machine needs manage_connections.
    const onServer = await remote('hosts', 'add', 'here', '--config', 'transport: local');
    expect(onServer.code).toBe(1);
    expect(onServer.stderr).toContain('manage_connections');
    const removed = await remote('hosts', 'remove', 'db-1');
    expect([removed.stdout, removed.stderr, removed.code]).toEqual(['removed host db-1\n', '', 0]);
    const gone = await remote('hosts', 'show', 'db-1');
    expect(gone.code).toBe(2);
    expect(gone.stderr).toBe((await local('hosts', 'show', 'db-1')).stderr);
  });

  it('prints the same records: refs by their label, filters, search, order and pages', async () => {
    const hosts = await h.project.hosts.list({ limit: 10 });
    const idOf = (name: string) => hosts.items.find((host) => host.name === name)?.id;
    for (const [host, name, kind, port] of [
      ['web-1', 'nginx', 'web', 443],
      ['web-1', 'postgres', 'db', 5432],
      ['web-2', 'redis', 'cache', null],
    ] as const) {
      await h.project.records.create('Service', { host: idOf(host), name, kind, port });
    }
    const table = await same('records', 'list', 'Service');
    expect(table).toMatch(/^ID\s+HOST\s+NAME\s+KIND\s+PORT$/m);
    expect(table).toMatch(/^\d+\s+web-1\s+nginx\s+web\s+443$/m); // the host's name, not its id
    expect(table).toContain('1-3 of 3\n');
    const json = JSON.parse(await same('records', 'list', 'Service', '--json')) as {
      items: { name: string; host: number }[];
      total: number;
    };
    expect(json.items.map((item) => item.name)).toEqual(['nginx', 'postgres', 'redis']);
    expect(json.items[0]?.host).toBe(idOf('web-1'));
    expect(await same('records', 'list', 'Service', '--where', 'host.name = web-2')).toMatch(
      /^\d+\s+web-2\s+redis\s+cache$/m,
    );
    expect(await same('records', 'list', 'Service', '--search', 'POST')).toContain('1-1 of 1\n');
    const paged = await same(
      'records',
      'list',
      'Service',
      '--order',
      '-name',
      '--limit',
      '1',
      '--offset',
      '1',
    );
    expect(paged).toMatch(/postgres/);
    expect(paged).toContain('2-2 of 3\n');
    await same('records', 'list', 'Host', '--json');
    expect(await same('records', 'list', 'Service', '--where', 'name = none')).toContain(
      'no records\n',
    );
    // Its changes from the audit log, a ref named by what it points at, either way.
    const set = await local('records', 'set', 'Service', 'postgres', 'port=5433', 'host=web-2');
    expect(set.code, set.stderr).toBe(0);
    expect(await same('records', 'changes', 'Service', 'postgres')).toMatch(
      /^WHEN\s+WHO\s+VIA\s+ACTION\s+CHANGES\n\S+ \S+\s+operator \(CLI\)\s+cli\s+record\.update\s+host web-1 → web-2, port 5432 → 5433\n$/,
    );
    await same('records', 'changes', 'Service', 'postgres', '--json');
    expect(await same('records', 'changes', 'Service', 'redis')).toBe(
      'no changes to Service redis in the audit log\n',
    );
  });

  it('says what is wrong with a records list, through the server as on the project', async () => {
    // An unknown model is a usage mistake both ways, with the same message.
    const unknown = await remote('records', 'list', 'Nope');
    expect([unknown.code, unknown.stderr]).toEqual([
      2,
      'minke: error: unknown model "Nope" (known: Host, Service)\n',
    ]);
    const unknownHere = await local('records', 'list', 'Nope');
    expect([unknownHere.code, unknownHere.stderr]).toEqual([unknown.code, unknown.stderr]);
    const badWhere = await remote('records', 'list', 'Service', '--where', 'name ==');
    expect(badWhere.code).not.toBe(0);
    expect(badWhere.stderr).toMatch(/^minke: error: /);
    // A user who may see hosts but not services.
    await h.user('hostsonly', { permissions: ['view_host'] });
    const other = await h.withToken('hostsonly');
    const refused = await served.remote(other.token, 'records', 'list', 'Service');
    // The server does not tell such a user that the model exists: it names the ones they may see.
    expect([refused.code, refused.stderr]).toEqual([
      2,
      'minke: error: unknown model "Service" (known: Host)\n',
    ]);
    // One who may see services but not hosts gets the hosts' ids, not their names.
    await h.user('servicesonly', { permissions: ['view_service'] });
    const services = await served.remote(
      (await h.withToken('servicesonly')).token,
      'records',
      'list',
      'Service',
    );
    expect(services.stderr).toBe('');
    const web1 = (await h.project.hosts.get('web-1')).id;
    expect(services.stdout).toMatch(new RegExp(`^\\d+\\s+${web1}\\s+nginx\\s+web\\s+443$`, 'm'));
    expect(services.stdout).not.toContain('web-1');
  });

  it('imports hosts from an OpenSSH config and adds groups, through the server as its user may', async () => {
    const sshConfig = join(served.dir, 'ssh_config');
    writeFileSync(
      sshConfig,
      [
        'Host db-1 db-2',
        '  HostName 127.0.0.1',
        '  User deploy',
        'Host *.internal',
        '  User ops',
        'Host web-1',
        '  HostName 127.0.0.1',
        '',
      ].join('\n'),
    );
    await h.user('importer', { permissions: ['view_host', 'add_host', 'change_host'] });
    const adder = await h.withToken('importer');
    const asImporter = (...args: string[]) => served.remote(adder.token, ...args);
    // The dry run changes nothing: the same report both ways.
    const dryRun = ['hosts', 'import', sshConfig, '--dry-run'];
    const dry = await asImporter(...dryRun);
    expect([dry.stderr, dry.code]).toEqual(['', 0]);
    expect(dry.stdout).toBe((await local(...dryRun)).stdout);
    expect(dry.stdout).toBe(
      [
        'skipped web-1: host already exists',
        'would add db-1',
        'would add db-2',
        `would import 2 host(s) from ${sshConfig}`,
        '',
      ].join('\n'),
    );
    // One who may only look may not add hosts, not even to try: refused before any is added.
    await h.user('looker', { permissions: ['view_host'] });
    const refused = await served.remote(
      (await h.withToken('looker')).token,
      'hosts',
      'import',
      sshConfig,
    );
    expect([refused.code, refused.stderr]).toEqual([
      1,
      'minke: error: you may not add Host: it needs the permission add_host\n',
    ]);
    const group = await asImporter('groups', 'add', 'databases', '--config', 'port: 2222');
    expect([group.stderr, group.code]).toEqual(['', 0]);
    expect(group.stdout).toMatch(/^added group databases \(id \d+\)\n$/);
    const imported = await asImporter('hosts', 'import', sshConfig, '--group', 'databases');
    expect([imported.stderr, imported.code]).toEqual(['', 0]);
    expect(imported.stdout).toContain('added db-1\nadded db-2\n');
    expect((await h.project.hosts.get('db-2')).groups).toEqual(['databases']);
    const groups = await same('groups', 'list');
    expect(groups).toMatch(/^databases\s+2\s+\{"port":2222\}/m);
    await same('groups', 'list', '--json');
    // Made through the server, audited as its user.
    const audit = await local('audit', '--action', 'host.create', '--json');
    const entries = (
      JSON.parse(audit.stdout) as { items: { actor: { name: string }; target: unknown }[] }
    ).items;
    const made = (name: string) =>
      entries.find((entry) => JSON.stringify(entry.target).includes(name));
    expect([made('db-1')?.actor.name, made('db-2')?.actor.name]).toEqual(['importer', 'importer']);
  });

  it('prints the same long lists: a --limit over the API page size reads several pages', async () => {
    // The API gives at most 1,000 rows a request; --limit is the user's, on the project as here.
    const service = (i: number) => `svc-${String(i).padStart(4, '0')}`;
    for (let i = 0; i < 1200; i++) {
      const host = await h.project.hosts.add({ name: `bulk-${String(i).padStart(4, '0')}` });
      await h.project.records.create('Service', { host: host.id, name: service(i) });
    }
    const hosts = JSON.parse(await same('hosts', 'list', '--limit', '1500', '--json')) as {
      items: { name: string }[];
      total: number;
    };
    expect(hosts.total).toBeGreaterThan(1200);
    expect(hosts.items).toHaveLength(hosts.total);
    const skipped = await same('hosts', 'list', '--limit', '1100', '--offset', '50');
    const lines = skipped.trim().split('\n');
    expect(lines).toHaveLength(1102); // the header, 1,100 hosts, where the next page starts
    expect(lines.at(-1)).toMatch(/^\(1100 of \d+; next page: --offset 1150\)$/);
    // Every ref by its host's name: the labels too are read in several requests.
    const records = await same(
      'records',
      'list',
      'Service',
      '--where',
      'name ~ svc-',
      '--limit',
      '1300',
    );
    expect(records).toMatch(/^\d+\s+bulk-1199\s+svc-1199\s+web\s*$/m);
    expect(records).toContain('1-1200 of 1200\n');
    // The new hosts have no facts: checked now, each fails the policy.
    expect((await local('policies', 'check', 'kernel-18')).code).toBe(0);
    const failing = JSON.parse(
      await same('policies', 'show', 'kernel-18', '--failing', '--limit', '1300', '--json'),
    ) as { hosts: { items: unknown[]; total: number } };
    expect(failing.hosts.total).toBeGreaterThan(1200);
    expect(failing.hosts.items).toHaveLength(failing.hosts.total);
  });

  it('prints the same inventory list (no sources here)', async () => {
    expect(await same('inventory')).toBe(
      'no inventory sources (add them to minke.config.ts: inventory: [...])\n',
    );
    await same('inventory', 'list', '--json');
  });
});
