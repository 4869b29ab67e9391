import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type {
  FactRecord,
  InventoryPlan,
  InventorySourceList,
  PolicyHostPage,
  PolicyList,
} from '@minke/contract';
import type { Result } from '@minke/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiHarness, type ApiHarness } from '../../../test-support/api-harness.js';
import { sqliteBackend } from '../../../test-support/databases.js';
import { factResult, useTempSigningKey } from '../../../test-support/facts-fixtures.js';
import { runBuiltCli } from '../../../test-support/run-cli.js';
import { defineInventorySource } from '../../config/define-inventory-source.js';
import { AgentStore } from '../../facts/agent-store.js';
import { factDistribution } from '../../facts/fact-distribution.js';
import { FactStore } from '../../facts/fact-store.js';
import { verifyAgentPassword } from '../../facts/credentials.js';

// A folder without a project: with --server the CLI needs none. The built `minke` (rebuild
// first: npx tsc -b packages/contract packages/protocol packages/agent packages/minke).
const tmp = mkdtempSync(join(tmpdir(), 'minke-remote-facts-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const DAY = 24 * 60 * 60 * 1000;
const now = Date.now();
const ago = (days: number) => new Date(now - days * DAY).toISOString();

/**
 * `minke facts`, `minke policies` and `minke inventory` through a server's API (real HTTP on
 * 127.0.0.1): the same tables and JSON as on the local project, the server's permissions and its
 * own messages for what does not exist.
 */
describe('facts, policies and inventory through a remote server', { timeout: 180_000 }, () => {
  let h: ApiHarness;
  let url: string;
  let facts: FactStore;
  const tokens: Record<string, string> = {};

  /** `minke --server URL ARGS` as a user types it, the token in the environment, never in argv. */
  const asUser = (name: string, ...args: string[]) =>
    runBuiltCli(['--server', url, ...args], {
      cwd: tmp,
      env: { MINKE_TOKEN: tokens[name], MINKE_SERVER_URL: undefined, MINKE_PROJECT: undefined },
      timeoutMs: 60_000,
    });
  /** The same, expected to succeed: its standard output. */
  const ok = async (name: string, ...args: string[]) => {
    const result = await asUser(name, ...args);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    return result.stdout;
  };
  const report = (node: string, plugin: string, value: Result['value'], days: number) =>
    facts.storeResults([factResult({ node, plugin, value, finishedAt: ago(days) })]);
  const agentOf = async (host: string) => (await new AgentStore(h.project).forHostOrNode(host)).id;

  beforeAll(async () => {
    h = await startApiHarness(sqliteBackend());
    useTempSigningKey(h.project, tmp);
    await h.user('root', { superuser: true });
    await h.user('viewer', { permissions: ['view_host'] });
    await h.user('outsider', { permissions: ['view_service'] });
    for (const name of ['root', 'viewer', 'outsider'])
      tokens[name] = (await h.withToken(name)).token;
    for (const name of ['web-1', 'web-2', 'db-1']) await h.project.hosts.add({ name });
    facts = new FactStore(h.project.database, new AgentStore(h.project));
    // Oldest first, as agents report; db-1 has no agent.
    await report('web-1', 'os', { kernel: '6.1.0-17' }, 3);
    await report('web-1', 'disk', { root: { used_percent: 41 } }, 2);
    await report('web-2', 'os', { kernel: '6.1.0-17' }, 2);
    await report('web-1', 'os', { kernel: '6.1.0-18' }, 1);
    url = await h.app.listen({ host: '127.0.0.1', port: 0 });
  });
  afterAll(() => h.close());

  it("shows a host's current facts: per plugin, and the local command's JSON", async () => {
    const table = await ok('viewer', 'facts', 'show', 'web-1');
    expect(table).toContain(`os (json, collected ${ago(1)}, on its own schedule)\n`);
    expect(table).toContain('    "kernel": "6.1.0-18"\n');
    expect(table).toContain(`disk (json, collected ${ago(2)}, on its own schedule)\n`);

    // `minke facts HOST` (show is the default) with one plugin, as JSON: the fact store's records.
    const json = await ok('viewer', 'facts', 'web-1', '--plugin', 'os', '--json');
    expect(JSON.parse(json)).toEqual(await facts.current(await agentOf('web-1'), 'os'));
    expect((JSON.parse(json) as FactRecord[]).map((f) => f.plugin)).toEqual(['os']);

    expect(await ok('viewer', 'facts', 'show', 'web-1', '--plugin', 'nope')).toBe(
      'no facts from web-1 for nope yet\n',
    );
  });

  it("shows a fact's history, newest first, and as JSON the local command's rows", async () => {
    const table = await ok('viewer', 'facts', 'history', 'web-1', 'os');
    expect(table.split('\n')).toEqual([
      expect.stringMatching(/^COLLECTED\s+REQUEST\s+VALUE$/),
      `${ago(1)}  (interval)  {"kernel":"6.1.0-18"}`,
      `${ago(3)}  (interval)  {"kernel":"6.1.0-17"}`,
      '',
    ]);
    const json = await ok('viewer', 'facts', 'history', 'web-1', 'os', '--limit', '1', '--json');
    expect(JSON.parse(json)).toEqual(await facts.history(await agentOf('web-1'), 'os', 1));
    expect(JSON.parse(json)).toHaveLength(1);
  });

  it('reads a node that no host has by its node name, and a history longer than one API page', async () => {
    // 1,005 versions: the API gives at most 1,000 a page, so the command reads two pages.
    const versions = 1005;
    for (let i = 0; i < versions; i++) {
      await facts.storeResults([
        factResult({
          node: 'edge-9',
          plugin: 'os',
          value: { kernel: `6.1.0-${i}` },
          finishedAt: new Date(Date.UTC(2030, 0, 1, 0, 0, 0, 0) + i * 1000).toISOString(),
        }),
      ]);
    }
    const shown = await ok('viewer', 'facts', 'show', 'edge-9', '--json');
    expect(JSON.parse(shown)).toEqual(await facts.current(await agentOf('edge-9')));
    expect((JSON.parse(shown) as FactRecord[])[0]?.value).toEqual({ kernel: '6.1.0-1004' });

    const args = ['facts', 'history', 'edge-9', 'os', '--limit', String(versions), '--json'];
    const rows = JSON.parse(await ok('viewer', ...args)) as FactRecord[];
    expect(rows).toHaveLength(versions);
    expect(rows).toEqual(await facts.history(await agentOf('edge-9'), 'os', versions));
    expect([rows[0]?.value, rows[versions - 1]?.value]).toEqual([
      { kernel: '6.1.0-1004' },
      { kernel: '6.1.0-0' },
    ]);
    // A limit inside the first page reads that many, newest first.
    const three = JSON.parse(
      await ok('viewer', 'facts', 'history', 'edge-9', 'os', '--limit', '3', '--json'),
    ) as FactRecord[];
    expect(three.map((row) => row.value)).toEqual([
      { kernel: '6.1.0-1004' },
      { kernel: '6.1.0-1003' },
      { kernel: '6.1.0-1002' },
    ]);
  });

  it('reads a history deeper than paging by offset reaches (10,000 versions)', async () => {
    // The command pages after the last version it read, so depth costs nothing more; by offset
    // it had stopped at 11 pages.
    const versions = 11_050;
    const start = Date.UTC(2031, 0, 1);
    for (let batch = 0; batch < versions; batch += 1000) {
      const results = [];
      for (let i = batch; i < Math.min(versions, batch + 1000); i++)
        results.push(
          factResult({
            node: 'deep-1',
            plugin: 'os',
            value: { build: i },
            finishedAt: new Date(start + i * 1000).toISOString(),
          }),
        );
      await facts.storeResults(results);
    }
    const args = ['facts', 'history', 'deep-1', 'os', '--limit', '20000', '--json'];
    const rows = JSON.parse(await ok('viewer', ...args)) as FactRecord[];
    expect(rows).toHaveLength(versions);
    expect(rows.map((row) => (row.value as { build: number }).build)).toEqual(
      Array.from({ length: versions }, (_, i) => versions - 1 - i),
    );
  });

  it('shows how current values spread across hosts, as the local operation counts them', async () => {
    const table = await ok('viewer', 'facts', 'distribution', 'os', 'kernel');
    expect(table).toMatch(/^VALUE\s+HOSTS\s+SHARE$/m);
    expect(table).toMatch(/^6\.1\.0-18\s+1\s+50%$/m);
    expect(table).toMatch(/^6\.1\.0-17\s+1\s+50%$/m);
    expect(table).toContain('2 host(s) reported os kernel');
    const json = await ok('viewer', 'facts', 'distribution', 'os', 'kernel', '--json');
    expect(JSON.parse(json)).toEqual(
      await factDistribution(h.project, { plugin: 'os', path: 'kernel' }),
    );

    const changes = await ok('viewer', 'facts', 'changes', 'os', 'kernel', '--days', '7');
    expect(changes).toMatch(/^web-1\s+\S+\s+6\.1\.0-17\s+6\.1\.0-18$/m);
  });

  it('says an unknown host or one without an agent as the server does; refuses without view_host', async () => {
    // Not found is a usage mistake (exit 2), as on the local project and for every --server command.
    // A name is a host's or an agent's node name, as on the project: neither says so.
    const unknown = await asUser('viewer', 'facts', 'show', 'nosuch');
    expect(unknown.stderr).toBe('minke: error: no agent for host or node nosuch\n');
    expect(unknown.code).toBe(2);
    expect(unknown.stdout).toBe('');
    const history = await asUser('viewer', 'facts', 'history', 'nosuch', 'os');
    expect(history.stderr).toBe('minke: error: no agent for host or node nosuch\n');
    expect(history.code).toBe(2);

    const agentless = await asUser('viewer', 'facts', 'show', 'db-1');
    expect(agentless.stderr).toBe('minke: error: no agent for host or node db-1\n');
    expect(agentless.code).toBe(2);

    for (const args of [
      ['facts', 'show', 'web-1'],
      ['facts', 'series', 'disk', 'root.used_percent'],
      ['policies', 'list'],
      ['inventory', 'list'],
    ]) {
      const refused = await asUser('outsider', ...args);
      expect(refused.stderr, args.join(' ')).toBe(
        'minke: error: you may not view Host: it needs the permission view_host\n',
      );
      expect(refused.code).toBe(1);
      expect(refused.stdout).toBe('');
    }
  });

  it('enrols a node through the server (superusers): the config with its password is written here, mode 600, never printed', async () => {
    const file = join(tmp, 'edge-77.yaml');
    const enrolled = await ok(
      'root',
      'agents',
      'enroll',
      'edge-77',
      '--out',
      file,
      '--broker-url',
      'mqtts://broker.example.org:8883',
    );
    expect(enrolled).toBe(
      [
        `enrolled edge-77: agent config written to ${file} (mode 600)`,
        '  no host named edge-77 yet: its facts attach to that host once it exists',
        '  broker: mqtts://broker.example.org:8883',
        '  spool: /var/lib/minke-agent/edge-77',
        '',
      ].join('\n'),
    );
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const config = parseYaml(readFileSync(file, 'utf8')) as Record<string, string>;
    const { loadSigningKey } = await import('../../facts/signing-key.js');
    const key = await loadSigningKey(h.project.database, h.project.config.agents.signingKeyFile);
    expect(config).toMatchObject({
      node: 'edge-77',
      username: 'edge-77',
      brokerUrl: 'mqtts://broker.example.org:8883',
      serverPublicKey: key.publicKeyBase64,
      spoolDir: '/var/lib/minke-agent/edge-77',
    });
    const password = config['password'] ?? '';
    expect(enrolled).not.toContain(password);
    const storedHash = async () =>
      (
        await h.project.database.tables
          .selectFrom('minke_agents')
          .select('credential_hash')
          .where('node', '=', 'edge-77')
          .executeTakeFirstOrThrow()
      ).credential_hash ?? '';
    expect((await verifyAgentPassword(await storedHash(), password)).ok).toBe(true);

    // Enrolled again, through the server: the old password stops working.
    await ok('root', 'agents', 'enroll', 'edge-77', '--out', file);
    expect((await verifyAgentPassword(await storedHash(), password)).ok).toBe(false);

    const viewer = await asUser(
      'viewer',
      'agents',
      'enroll',
      'edge-78',
      '--out',
      join(tmp, 'x.yaml'),
    );
    expect(viewer.code).toBe(1);
    expect(viewer.stderr).toMatch(/^minke: error: .*superuser/);
    expect(existsSync(join(tmp, 'x.yaml'))).toBe(false);
  });

  it('makes, lists, shows and checks a policy through the server', async () => {
    const refused = await asUser(
      'viewer',
      'policies',
      'set',
      'kernel-18',
      '--where',
      'facts.os.kernel = "6.1.0-18"',
    );
    expect(refused.stderr).toBe('minke: error: only superusers may make policies\n');
    expect(refused.code).toBe(1);

    // web-1 runs 6.1.0-18; web-2 runs 6.1.0-17 and db-1 reports nothing: they fail it.
    expect(
      await ok(
        'root',
        'policies',
        'set',
        'kernel-18',
        '--where',
        'facts.os.kernel = "6.1.0-18"',
        '--description',
        'the patched kernel',
      ),
    ).toBe('policy kernel-18 saved; 2 host(s) failing it\n');

    const list = await ok('viewer', 'policies');
    expect(list).toMatch(/^POLICY\s+PASSING\s+FAILING\s+FROM\s+WHERE$/m);
    expect(list).toMatch(/^kernel-18\s+1\s+2\s+api\s+facts\.os\.kernel = "6\.1\.0-18"$/m);
    const listed = JSON.parse(await ok('viewer', 'policies', 'list', '--json')) as PolicyList;
    expect(listed.items).toEqual([
      expect.objectContaining({ name: 'kernel-18', passing: 1, failing: 2, origin: 'api' }),
    ]);

    const shown = await ok('viewer', 'policies', 'show', 'kernel-18', '--failing');
    expect(shown).toContain('kernel-18: the patched kernel\n');
    expect(shown).toContain('  where: facts.os.kernel = "6.1.0-18"\n');
    expect(shown).toContain('  scope: every host\n');
    expect(shown).toMatch(/^HOST\s+STATUS\s+SINCE\s+CHECKED$/m);
    expect(shown).toMatch(/^db-1\s+FAILING\s/m);
    expect(shown).toMatch(/^web-2\s+FAILING\s/m);
    expect(shown).not.toMatch(/^web-1\s/m);
    const json = JSON.parse(await ok('viewer', 'policies', 'show', 'kernel-18', '--json')) as {
      policy: unknown;
      hosts: PolicyHostPage;
    };
    expect(json.policy).toEqual(listed.items[0]);
    expect(json.hosts.total).toBe(3);

    // web-2 is patched: a check on demand finds the change.
    await report('web-2', 'os', { kernel: '6.1.0-18' }, 0);
    expect(await ok('viewer', 'policies', 'check', 'kernel-18')).toBe(
      '1 policy, 3 host evaluation(s), 1 change(s)\n  kernel-18: web-2 now passes\n',
    );
    const history = await ok('viewer', 'policies', 'show', 'kernel-18', '--history');
    expect(history).toMatch(/^AT\s+HOST\s+BECAME$/m);
    expect(history).toMatch(/^\S+\s+web-2\s+passing$/m);

    const unknown = await asUser('viewer', 'policies', 'show', 'nosuch');
    expect(unknown.stderr).toBe('minke: error: no policy "nosuch" (policies: kernel-18)\n');
    expect(unknown.code).toBe(2);

    expect(await ok('root', 'policies', 'delete', 'kernel-18')).toBe('policy kernel-18 deleted\n');
    expect(await ok('viewer', 'policies', 'list')).toBe('no policies yet\n');
  });

  it('lists the inventory sources (none yet, then one) and syncs one as the token user', async () => {
    expect(await ok('viewer', 'inventory')).toBe(
      'no inventory sources (add them to minke.config.ts: inventory: [...])\n',
    );
    const empty = JSON.parse(
      await ok('viewer', 'inventory', 'list', '--json'),
    ) as InventorySourceList;
    expect(empty).toEqual({ items: [] });

    // A source in the server's project: its file is read on the server's side.
    const file = join(tmp, 'lab.yaml');
    writeFileSync(file, 'hosts:\n  - name: lab-1\n    hostname: 10.9.0.1\n');
    h.project.config.inventory = [defineInventorySource({ name: 'lab', from: { file } })];
    const list = await ok('viewer', 'inventory', 'list');
    expect(list).toMatch(/^SOURCE\s+FROM\s+SCHEDULE\s+HOSTS\s+LAST SYNC\s+RESULT$/m);
    const row = list.split('\n').find((line) => line.startsWith('lab '));
    expect(row?.split(/\s{2,}/)).toEqual(['lab', `file ${file}`, '-', '0', 'never']);

    const refused = await asUser('viewer', 'inventory', 'sync', 'lab', '--dry-run');
    expect(refused.stderr).toBe(
      'minke: error: you may not add Host: it needs the permission add_host\n',
    );
    expect(refused.code).toBe(1);

    expect(await ok('root', 'inventory', 'sync', 'lab', '--dry-run')).toBe(
      'lab (dry run: nothing changed): would add 1, would change 0, would remove 0, 0 unchanged\n' +
        '  + lab-1  10.9.0.1\n',
    );
    expect(await h.project.records.findBy('Host', 'name', 'lab-1')).toBeUndefined();
    const plan = JSON.parse(
      await ok('root', 'inventory', 'sync', 'lab', '--json'),
    ) as InventoryPlan;
    expect(plan).toMatchObject({ source: 'lab', dryRun: false, added: [{ name: 'lab-1' }] });
    expect(await h.project.records.findBy('Host', 'name', 'lab-1')).toBeDefined();
    expect(await ok('viewer', 'inventory')).toMatch(
      /^lab\s+file \S+\s+-\s+1\s+\S+\s+\+1 ~0 -0 =0$/m,
    );

    const unknown = await asUser('root', 'inventory', 'sync', 'cmdb', '--dry-run');
    expect(unknown.stderr).toBe(
      'minke: error: inventory source cmdb does not exist (sources: lab)\n',
    );
    expect(unknown.code).toBe(2);
  });
});
