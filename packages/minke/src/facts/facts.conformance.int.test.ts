import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Result } from '@minke/protocol';
import { hash } from '@node-rs/argon2';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { backendFactories, type TestBackend } from '../../test-support/databases.js';
import { demoModels } from '../../test-support/demo-models.js';
import {
  agentPresence,
  factResult,
  failedResult,
  useTempSigningKey,
} from '../../test-support/facts-fixtures.js';
import type { OpenedProject } from '../runtime/open-project.js';
import { parseWhere } from '../query/parse-where.js';
import { AgentStore } from './agent-store.js';
import { dispatch, waitForRequest } from './dispatch.js';
import { FactStore } from './fact-store.js';
import { RequestStore } from './request-store.js';
import { loadSigningKey } from './signing-key.js';
import { agentAuthenticator } from './start-agent-services.js';

const tmp = mkdtempSync(join(tmpdir(), 'minke-facts-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

// The fact store, the request ledger and fact queries: one suite, SQLite and PostgreSQL.
describe.each(backendFactories(() => tmp))('facts on $name', ({ make }) => {
  let backend: TestBackend;
  let project: OpenedProject;
  let agents: AgentStore;
  let facts: FactStore;
  let ledger: RequestStore;

  beforeEach(async () => {
    backend = make();
    project = useTempSigningKey(await backend.open(demoModels), tmp);
    agents = new AgentStore(project);
    facts = new FactStore(project.database, agents);
    ledger = new RequestStore(project.database);
  });
  afterEach(async () => {
    await project.close();
    await backend.cleanup();
  });

  const hostNames = async (where: string) =>
    (await project.records.list('Host', { filter: parseWhere(where), order: ['name'] })).items.map(
      (h) => h['name'],
    );

  it('migrates the agent tables', async () => {
    expect(project.applied.migrations).toContain('0004-agents-and-facts');
    expect(await agents.list()).toEqual([]);
  });

  it('keeps the current fact and a history row only when the value changes', async () => {
    const at = (s: number) => new Date(Date.UTC(2030, 0, 1, 0, 0, s)).toISOString();
    const first = factResult({
      node: 'web1',
      plugin: 'os',
      value: { release: '12' },
      finishedAt: at(1),
    });
    const store = async (...results: Parameters<FactStore['storeResults']>[0][number][]) =>
      (await facts.storeResults(results)).outcomes;
    expect(await store(first)).toEqual(['stored']);
    const agent = await agents.get('web1');
    // Same value again: refreshed, no history row. A second copy of the first result is older
    // than the current fact now, so it is left out as stale (stored once all the same).
    const same = factResult({
      node: 'web1',
      plugin: 'os',
      value: { release: '12' },
      finishedAt: at(2),
    });
    expect(await store(same, first)).toEqual(['unchanged', 'stale']);
    const changed = factResult({
      node: 'web1',
      plugin: 'os',
      value: { release: '13', codename: 'trixie' },
      finishedAt: at(3),
    });
    const older = factResult({
      node: 'web1',
      plugin: 'os',
      value: { release: '11' },
      finishedAt: at(0),
    });
    const failed = failedResult({
      node: 'web1',
      plugin: 'os',
      error: 'command exited with code 1',
    });
    expect(await store(changed, older, failed, changed)).toEqual([
      'stored',
      'stale',
      'failed',
      'duplicate',
    ]);

    expect(await facts.current(agent.id)).toEqual([
      {
        node: 'web1',
        plugin: 'os',
        format: 'json',
        value: { release: '13', codename: 'trixie' },
        collectedAt: at(3),
        requestId: null,
        resultId: changed.id,
      },
    ]);
    const history = await facts.history(agent.id, 'os');
    expect(history.map((h) => h.value)).toEqual([
      { release: '13', codename: 'trixie' },
      { release: '12' },
    ]);
    expect(history.map((h) => h.resultId)).toEqual([changed.id, first.id]);
    expect((await agents.get('web1')).lastSeen).not.toBeNull();
  });

  it('stores every format as the agent parsed it', async () => {
    const values = {
      json: { a: [1, 2, { b: null }] },
      yaml: { packages: ['nginx', 'curl'] },
      output: ['line 1', 'line 2'],
      string: 'hello',
      raw: 'hello\n',
    };
    for (const [format, value] of Object.entries(values)) {
      await facts.storeResults([
        factResult({ node: 'n1', plugin: `p-${format}`, format: format as 'json', value }),
      ]);
    }
    const current = await facts.current((await agents.get('n1')).id);
    expect(Object.fromEntries(current.map((f) => [f.format, f.value]))).toEqual(values);
    expect(await facts.current((await agents.get('n1')).id, 'p-string')).toHaveLength(1);
  });

  it('records requests, answers and expiry in the ledger, idempotently', async () => {
    const key = await loadSigningKey(project.database, project.config.agents.signingKeyFile);
    for (const node of ['n1', 'n2', 'n3']) await agents.ensure(node);
    const broadcast = await ledger.create({
      plugin: 'os',
      selection: { all: true },
      nodes: ['n1', 'n2', 'n3'],
      privateKey: key.privateKey,
    });
    // Only the broadcast goes out first; nobody is online.
    const first = await ledger.unpublished();
    expect(first.map((o) => [o.node, o.requestId])).toEqual([[undefined, broadcast.id]]);
    await agents.recordPresence(agentPresence('n1', true));
    await ledger.markPublished(first);
    expect((await ledger.status(broadcast.id))?.targets.map((t) => t.state)).toEqual([
      'delivered',
      'pending',
      'pending',
    ]);
    // n2 comes online: it gets the broadcast on its own topic.
    await agents.recordPresence(agentPresence('n2', true));
    const forN2 = await ledger.unpublished();
    expect(forN2.map((o) => o.node)).toEqual(['n2']);
    expect(JSON.parse(forN2[0]!.payload)).toMatchObject({
      request: { id: broadcast.id, target: { all: true } },
    });
    await ledger.markPublished(forN2);
    expect(await ledger.openFor('n2')).toHaveLength(1);

    const answer = factResult({ node: 'n1', plugin: 'os', requestId: broadcast.id, value: 1 });
    const late = factResult({ node: 'n4', plugin: 'os', requestId: broadcast.id, value: 2 });
    const fail = failedResult({
      node: 'n2',
      plugin: 'os',
      requestId: broadcast.id,
      error: 'not authorized on this node',
    });
    const stored = await facts.storeResults([answer, late, fail, answer]);
    expect(stored.outcomes).toEqual(['stored', 'stored', 'failed', 'duplicate']);
    expect(stored.requestIds).toEqual([broadcast.id]);
    const status = await ledger.status(broadcast.id);
    expect(status?.targets.map((t) => [t.node, t.state, t.error, t.resultId])).toEqual([
      ['n1', 'answered', null, answer.id],
      ['n2', 'failed', 'not authorized on this node', fail.id],
      ['n3', 'pending', null, null],
      ['n4', 'answered', null, late.id],
    ]);
    expect(status?.state).toBe('open');
    // A per-node request gets its own signed message per node.
    const targeted = await ledger.create({
      plugin: 'os',
      selection: { nodes: ['n1'] },
      nodes: ['n1'],
      privateKey: key.privateKey,
      ttlMs: 60_000,
    });
    const out = await ledger.unpublished();
    expect(out.map((o) => o.node)).toEqual(['n1']);
    expect(JSON.parse(out[0]!.payload)).toMatchObject({ request: { target: { node: 'n1' } } });
    // Expiry: n3's target expires with the broadcast, the request is done.
    expect(await ledger.expire(new Date(Date.now() + 2 * 3600_000))).toBe(2);
    expect((await ledger.status(broadcast.id))?.state).toBe('done');
    expect((await ledger.status(targeted.id))?.targets[0]?.state).toBe('expired');
  });

  it('dispatches to nodes, to all or by a filter, and waits for the answers', async () => {
    await project.hosts.addGroup({ name: 'web' });
    await project.hosts.add({ name: 'web1', groups: ['web'] });
    await project.hosts.add({ name: 'web2', groups: ['web'] });
    await agents.enroll('web1');
    await agents.enroll('db1');
    const byWhere = await dispatch({ project }, { plugin: 'os', where: 'groups.name = web' });
    expect(byWhere).toMatchObject({ nodes: ['web1'], skipped: ['web2'] });
    const all = await dispatch({ project }, { plugin: 'os', all: true });
    expect(all.nodes).toEqual(['db1', 'web1']);
    await expect(dispatch({ project }, { plugin: 'os', nodes: ['nope'] })).rejects.toThrow(
      'no agent for nope',
    );
    await expect(dispatch({ project }, { plugin: 'bad name', all: true })).rejects.toThrow(
      'plugin name',
    );
    await expect(dispatch({ project }, { plugin: 'os' })).rejects.toThrow('exactly one of');
    const request = await dispatch({ project }, { plugin: 'os', nodes: ['web1', 'db1'] });
    const status = await ledger.status(request.id);
    const messageOf = async (node: string) =>
      (await ledger.unpublished()).find((o) => o.node === node && o.requestId === request.id);
    expect(await messageOf('web1')).toBeUndefined(); // offline
    await agents.recordPresence(agentPresence('web1', true));
    const message = JSON.parse((await messageOf('web1'))!.payload) as { request: { id: string } };
    await facts.storeResults([
      factResult({ node: 'web1', plugin: 'os', requestId: message.request.id, value: 'x' }),
    ]);
    const finals: string[] = [];
    const waited = await waitForRequest(project, request.id, {
      timeoutMs: 300,
      pollMs: 50,
      onFinal: (o) => finals.push(`${o.node}:${o.state}`),
    });
    expect(status?.targets).toHaveLength(2);
    // One id everywhere: each node's signed copy carries the id the user was given.
    expect(message.request.id).toBe(request.id);
    const web1 = await agents.get('web1');
    expect((await facts.current(web1.id, 'os'))[0]?.requestId).toBe(request.id);
    expect(finals).toEqual(['web1:answered']);
    expect(waited.outcomes.map((o) => `${o.node}:${o.state}`)).toEqual([
      'db1:timeout',
      'web1:answered',
    ]);
  });

  it('stores a result only for a request its node was asked, refusing the rest', async () => {
    const key = await loadSigningKey(project.database, project.config.agents.signingKeyFile);
    for (const node of ['web1', 'web2', 'mallory']) await agents.ensure(node);
    const forWeb1 = await ledger.create({
      plugin: 'os',
      selection: { nodes: ['web1'] },
      nodes: ['web1'],
      privateKey: key.privateKey,
    });
    const broadcast = await ledger.create({
      plugin: 'os',
      selection: { all: true },
      nodes: ['web1', 'web2'],
      privateKey: key.privateKey,
    });
    const answer = (node: string, requestId: string, plugin = 'os') =>
      factResult({ node, plugin, requestId, value: { from: node } });
    const stolen = answer('mallory', forWeb1.id);
    const invented = answer('mallory', '00000000-0000-4000-8000-000000000000');
    const otherPlugin = answer('web1', forWeb1.id, 'secrets');
    const late = answer('mallory', broadcast.id); // enrolled after the broadcast: it got it too
    const own = answer('web1', forWeb1.id);
    const stored = await facts.storeResults([stolen, invented, otherPlugin, late, own]);
    expect(stored.outcomes).toEqual(['refused', 'refused', 'refused', 'stored', 'stored']);
    expect(stored.refusals.map((r) => [r.resultId, r.node, r.code])).toEqual([
      [stolen.id, 'mallory', 'not-addressed'],
      [invented.id, 'mallory', 'unknown-request'],
      [otherPlugin.id, 'web1', 'wrong-plugin'],
    ]);
    expect(stored.refusals[0]?.message).toBe(
      `request ${forWeb1.id} was not addressed to node mallory`,
    );
    // The ledger gained no target for mallory on web1's request; web1's own answer counts.
    const status = await ledger.status(forWeb1.id);
    expect(status?.targets.map((t) => [t.node, t.state, t.resultId])).toEqual([
      ['web1', 'answered', own.id],
    ]);
    const mallory = await agents.get('mallory');
    const malloryFacts = await facts.current(mallory.id);
    expect(malloryFacts.map((f) => [f.plugin, f.requestId, f.resultId])).toEqual([
      ['os', broadcast.id, late.id],
    ]);
    expect(await facts.current((await agents.get('web1')).id, 'secrets')).toEqual([]);
  });

  it('queries hosts and any model by facts', async () => {
    const names = ['a', 'b', 'c', 'd'];
    for (const name of names) await project.hosts.add({ name });
    const servers: Record<string, number> = {};
    for (const name of names) {
      const host = await project.hosts.get(name);
      servers[name] = (await project.records.create('Server', { host: host.id, role: 'web' })).id;
    }
    await project.records.create('App', { server: servers['a'], name: 'shop' });
    await project.records.create('App', { server: servers['c'], name: 'blog' });
    const put = (node: string, plugin: string, value: Result['value'], format = 'json') =>
      facts.storeResults([factResult({ node, plugin, value, format: format as 'json' })]);
    await put('a', 'os', {
      release: '12',
      id: 'debian',
      cores: 4,
      virtual: true,
      tags: ['web', 'eu'],
    });
    await put('b', 'os', { release: 11, id: 'debian', cores: '16', virtual: false, tags: [] });
    await put('c', 'os', { release: '24.04', id: 'ubuntu', cores: 2.5, virtual: null });
    await put('a', 'packages', ['nginx 1.22', 'curl 7.88'], 'output');
    await put('b', 'hostname', 'b.example.com', 'string');
    await put('x', 'os', { release: '12' }); // a node with no host: never matches

    expect(await hostNames('facts.os.release = "12"')).toEqual(['a']);
    expect(await hostNames('facts.os.release = 11')).toEqual(['b']);
    expect(await hostNames('facts.os.release != 12')).toEqual(['b', 'c', 'd']);
    expect(await hostNames('facts.os.id in (debian, centos)')).toEqual(['a', 'b']);
    expect(await hostNames('facts.os exists')).toEqual(['a', 'b', 'c']);
    expect(await hostNames('facts.os is null')).toEqual(['d']);
    expect(await hostNames('facts.os.virtual exists')).toEqual(['a', 'b']);
    expect(await hostNames('facts.os.virtual = true')).toEqual(['a']);
    expect(await hostNames('facts.os.virtual = false')).toEqual(['b']);
    expect(await hostNames('facts.os.cores > 3')).toEqual(['a', 'b']);
    expect(await hostNames('facts.os.cores <= 4')).toEqual(['a', 'c']);
    expect(await hostNames('facts.os.release >= 12')).toEqual(['a', 'c']);
    expect(await hostNames('facts.os.id ^= ubu')).toEqual(['c']);
    expect(await hostNames('facts.os.tags ~ WEB')).toEqual(['a']);
    // A key of digits is an index into a list (the --where parser has no such paths yet).
    const byIndex = await project.records.list('Host', {
      filter: { path: ['facts', 'os', 'tags', '0'], op: 'eq', value: 'web' },
    });
    expect(byIndex.items.map((h) => h['name'])).toEqual(['a']);
    expect(await hostNames('facts.packages ~ nginx')).toEqual(['a']);
    expect(await hostNames('facts.hostname = "b.example.com"')).toEqual(['b']);
    expect(await hostNames('facts.os.release = "12" and not facts.packages ~ curl')).toEqual([]);
    expect(await hostNames('facts.os.release = 12 or facts.hostname exists')).toEqual(['a', 'b']);

    const servers2 = async (where: string) =>
      (await project.records.list('Server', { filter: parseWhere(where) })).items.map(
        (s) => s['host'],
      );
    const hostId = async (name: string) => (await project.hosts.get(name)).id;
    expect(await servers2('facts.os.id = ubuntu')).toEqual([await hostId('c')]);
    expect(await servers2('host.facts.os.id = ubuntu')).toEqual([await hostId('c')]);
    const apps = async (where: string) =>
      (await project.records.list('App', { filter: parseWhere(where) })).items.map(
        (a) => a['name'],
      );
    expect(await apps('facts.os.release = 12')).toEqual(['shop']);
    expect(await apps('facts.packages is null')).toEqual(['blog']);
    expect(
      await project.records.ids('Host', { filter: parseWhere('facts.os.id = debian') }),
    ).toHaveLength(2);

    await expect(hostNames('facts = 1')).rejects.toThrow('name a plugin');
  });

  it('enrols agents with a hashed credential, re-enrolment revokes, hosts link by name', async () => {
    await project.hosts.add({ name: 'web1' });
    const first = await agents.enroll('web1');
    expect(first.agent).toMatchObject({
      node: 'web1',
      hostName: 'web1',
      enrolled: true,
      online: false,
    });
    expect(first.password).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const check = agentAuthenticator(agents);
    expect(await check('web1', first.password)).toBe(true);
    expect(await check('web1', first.password)).toBe(true);
    expect(await check('web1', 'wrong')).toBe(false);
    expect(await check('nobody', first.password)).toBe(false);
    const second = await agents.enroll('web1');
    expect(await check('web1', first.password)).toBe(false);
    expect(await check('web1', second.password)).toBe(true);
    const stored = await project.database.db
      .selectFrom('minke_agents')
      .select('credential_hash')
      .executeTakeFirstOrThrow();
    expect(String(stored.credential_hash)).toMatch(/^\$minke-sha256\$/);
    expect(String(stored.credential_hash)).not.toContain(second.password);
    await expect(agents.enroll('bad/node')).rejects.toThrow('node name');

    // A node without a host stays unlinked unless the project asks for hosts to be made.
    await agents.enroll('db1');
    expect((await agents.get('db1')).hostName).toBeNull();
    project.config.agents.createHostsForUnknownNodes = true;
    await new AgentStore(project).ensure('db2');
    expect((await agents.get('db2')).hostName).toBe('db2');
    expect((await agents.forHostOrNode('db2')).node).toBe('db2');
  });

  it('lists agents a page at a time: natural node order, presence, part of a name', async () => {
    await project.hosts.add({ name: 'node-2' });
    await agents.recordPresences(
      ['node-10', 'node-2', 'node-1', 'Edge_1', 'edgex1', 'edge-50'].map((node, i) =>
        agentPresence(node, i % 2 === 0),
      ),
    );
    const page = (query: Partial<Parameters<AgentStore['page']>[0]>) =>
      agents.page({ limit: 50, offset: 0, ...query });
    const nodes = async (query: Partial<Parameters<AgentStore['page']>[0]>) =>
      (await page(query)).items.map((agent) => [agent.node, agent.online, agent.hostName]);
    // As people count (node-2 before node-10), in byte order otherwise: upper case first.
    expect(await nodes({})).toEqual([
      ['Edge_1', false, null],
      ['edge-50', false, null],
      ['edgex1', true, null],
      ['node-1', true, null],
      ['node-2', false, 'node-2'],
      ['node-10', true, null],
    ]);
    expect(await page({ limit: 2, offset: 3 })).toMatchObject({
      items: [{ node: 'node-1' }, { node: 'node-2' }],
      total: 6,
    });
    expect(await page({ online: false })).toMatchObject({ total: 3 });
    expect((await nodes({ online: false })).map(([node]) => node)).toEqual([
      'Edge_1',
      'edge-50',
      'node-2',
    ]);
    // Any case; LIKE's wildcards in the search match only themselves.
    expect((await nodes({ search: ' EDGE ' })).map(([node]) => node)).toEqual([
      'Edge_1',
      'edge-50',
      'edgex1',
    ]);
    expect((await nodes({ search: 'e_1' })).map(([node]) => node)).toEqual(['Edge_1']);
    expect((await nodes({ search: '_' })).map(([node]) => node)).toEqual(['Edge_1']);
    expect(await nodes({ search: '%' })).toEqual([]);
    expect(await page({ search: 'NODE-1', online: false })).toMatchObject({ items: [], total: 0 });
    expect(await page({ search: 'node-1', online: true, limit: 1, offset: 1 })).toMatchObject({
      items: [{ node: 'node-10' }],
      total: 2,
    });
    expect(await agents.fleet()).toEqual({ total: 6, online: 3 });
  });

  it('upgrades an agent enrolled with an old argon2id hash at its next login', async () => {
    const { password } = await agents.enroll('old1');
    const legacy = await hash(password, { memoryCost: 4096, timeCost: 1, parallelism: 1 });
    const storedHash = async () =>
      String(
        (
          await project.database.db
            .selectFrom('minke_agents')
            .select('credential_hash')
            .where('node', '=', 'old1')
            .executeTakeFirstOrThrow()
        ).credential_hash,
      );
    await project.database.db
      .updateTable('minke_agents')
      .set({ credential_hash: legacy })
      .where('node', '=', 'old1')
      .execute();
    const check = agentAuthenticator(agents);
    expect(await check('old1', 'wrong')).toBe(false);
    expect(await storedHash()).toBe(legacy); // a wrong password changes nothing
    expect(await check('old1', password)).toBe(true);
    expect(await storedHash()).toMatch(/^\$minke-sha256\$/);
    expect(await check('old1', password)).toBe(true);
    expect(await check('old1', 'wrong')).toBe(false);
  });

  it('keeps the signing key in a private file and refuses another one', async () => {
    const file = project.config.agents.signingKeyFile;
    const key = await loadSigningKey(project.database, file);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect((await loadSigningKey(project.database, file)).publicKeyBase64).toBe(
      key.publicKeyBase64,
    );
    await expect(loadSigningKey(project.database, join(tmp, 'other-key.pem'))).rejects.toThrow(
      'is not the one this project',
    );
  });
});
