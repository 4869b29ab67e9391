import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Presence } from '@minke/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiHarness, type ApiHarness, type Caller } from '../../test-support/api-harness.js';
import { backendFactories } from '../../test-support/databases.js';
import { agentPresence, factResult, useTempSigningKey } from '../../test-support/facts-fixtures.js';
import { AgentStore } from '../facts/agent-store.js';
import { FactStore } from '../facts/fact-store.js';
import { startAgentServices, type AgentServices } from '../facts/start-agent-services.js';
import type { AgentServicesRef } from './api-context.js';

const tmp = mkdtempSync(join(tmpdir(), 'minke-api-agents-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const at = (second: number) => new Date(Date.UTC(2030, 0, 1, 0, 0, second)).toISOString();

/** With the `os` plugin, which the tests' requests name. */
function presence(node: string, online: boolean, extra: Partial<Presence> = {}): Presence {
  const plugins = [{ name: 'os', description: 'the OS release', format: 'json' as const }];
  return agentPresence(node, online, { plugins, ...extra });
}

describe.each(backendFactories(() => tmp))('agents and facts API on $name', ({ make }) => {
  let h: ApiHarness;
  let root: Caller;
  let viewer: Caller;
  let operator: Caller;
  let nobody: Caller;
  let facts: FactStore;
  const agentRef: AgentServicesRef = { current: undefined };
  let services: AgentServices | undefined;

  beforeAll(async () => {
    h = await startApiHarness(make(), { agents: agentRef });
    useTempSigningKey(h.project, tmp);
    await h.user('root', { superuser: true });
    await h.user('viewer', { permissions: ['view_host'] });
    await h.user('operator', { permissions: ['view_host', 'change_host'] });
    await h.user('nobody');
    root = await h.withToken('root');
    viewer = await h.withToken('viewer');
    operator = await h.withToken('operator');
    nobody = await h.withToken('nobody');
    for (const name of ['web-1', 'web-2', 'db-1']) await h.project.hosts.add({ name });
    const agents = new AgentStore(h.project);
    facts = new FactStore(h.project.database, agents);
    await agents.recordPresence(
      presence('web-1', true, {
        plugins: [
          { name: 'os', description: 'the OS release', format: 'json', commandAlias: 'get_os' },
        ],
        rejected: [{ file: 'broken.cfg', reason: 'unknown result_format "xml"' }],
      }),
    );
    await agents.recordPresence(presence('web-2', false));
    await facts.storeResults([
      factResult({
        node: 'web-1',
        plugin: 'os',
        value: { release: '12', id: 'debian' },
        finishedAt: at(1),
      }),
      factResult({
        node: 'web-2',
        plugin: 'os',
        value: { release: '11', id: 'debian' },
        finishedAt: at(1),
      }),
      factResult({
        node: 'web-1',
        plugin: 'packages',
        format: 'yaml',
        value: ['nginx', 'curl'],
        finishedAt: at(1),
      }),
    ]);
  });
  afterAll(async () => {
    await services?.close();
    await h.close();
  });

  const routes = [
    ['GET', '/api/agents'],
    ['GET', '/api/agents/web-1'],
    ['GET', '/api/facts?where=facts.os%20exists'],
    ['GET', '/api/hosts/web-1/facts'],
    ['GET', '/api/hosts/web-1/facts/history?plugin=os'],
    ['GET', '/api/agents/web-1/facts'],
    ['GET', '/api/agents/web-1/facts/history?plugin=os'],
    ['POST', '/api/dispatch'],
    ['GET', '/api/dispatch/00000000-0000-4000-8000-000000000000'],
  ] as const;

  it('describes the agent and fact routes in the OpenAPI document', async () => {
    const spec = (await h.anonymous.get('/api/openapi.json')).json<{
      paths: Record<string, Record<string, { parameters?: { name: string }[] }>>;
    }>();
    for (const path of [
      '/api/agents',
      '/api/agents/{node}',
      '/api/facts',
      '/api/hosts/{name}/facts',
      '/api/hosts/{name}/facts/history',
      '/api/agents/{node}/facts',
      '/api/agents/{node}/facts/history',
      '/api/agents/{node}/enroll',
      '/api/dispatch',
      '/api/dispatch/{id}',
    ]) {
      expect(Object.keys(spec.paths), path).toContain(path);
    }
    const search = spec.paths['/api/facts']?.['get']?.parameters?.map((p) => p.name);
    expect(search).toEqual(expect.arrayContaining(['where', 'limit', 'offset']));
    const agents = spec.paths['/api/agents']?.['get']?.parameters?.map((p) => p.name);
    expect(agents).toEqual(expect.arrayContaining(['online', 'search']));
  });

  it('answers 401 without authentication and 403 without view_host, on every route', async () => {
    for (const [method, url] of routes) {
      const body = method === 'POST' ? { plugin: 'os', all: true } : undefined;
      const anonymous = await h.anonymous.request({ method, url, payload: body });
      expect(anonymous.statusCode, `${method} ${url}`).toBe(401);
      expect(anonymous.json()).toMatchObject({ error: { code: 'unauthenticated' } });
      const refused = await nobody.request({ method, url, payload: body });
      expect(refused.statusCode, `${method} ${url}`).toBe(403);
      expect(refused.json<{ error: { message: string } }>().error.message).toContain(
        method === 'POST' ? 'change_host' : 'view_host',
      );
    }
  });

  it('lists agents with online/offline, last seen, plugins and rejected files, paged', async () => {
    const page = (await viewer.get('/api/agents')).json<{
      items: Record<string, unknown>[];
      total: number;
      fleet: { total: number; online: number };
    }>();
    expect(page.total).toBe(2);
    expect(page.fleet).toEqual({ total: 2, online: 1 });
    expect(page.items.map((a) => [a['node'], a['online'], a['hostName']])).toEqual([
      ['web-1', true, 'web-1'],
      ['web-2', false, 'web-2'],
    ]);
    expect(page.items[0]).toMatchObject({
      // Vogeler's command_alias, as the agent's presence gave it.
      plugins: [
        { name: 'os', description: 'the OS release', format: 'json', commandAlias: 'get_os' },
      ],
      rejected: [{ file: 'broken.cfg', reason: 'unknown result_format "xml"' }],
    });
    expect(typeof page.items[0]?.['lastSeen']).toBe('string');
    expect(JSON.stringify(page)).not.toContain('credential');

    const second = (await viewer.get('/api/agents?limit=1&offset=1')).json<typeof page>();
    expect(second.items.map((a) => a['node'])).toEqual(['web-2']);
    expect(second.total).toBe(2);
    const offline = (await viewer.get('/api/agents?online=false')).json<typeof page>();
    expect(offline.items.map((a) => a['node'])).toEqual(['web-2']);
    expect(offline.fleet).toEqual({ total: 2, online: 1 });
    expect((await viewer.get('/api/agents?online=maybe')).statusCode).toBe(400);
  });

  it('shows one agent, and says how to enrol an unknown node', async () => {
    const agent = await viewer.get('/api/agents/web-2');
    expect(agent.json()).toMatchObject({ node: 'web-2', online: false, hostName: 'web-2' });
    const missing = await viewer.get('/api/agents/ghost');
    expect(missing.statusCode).toBe(404);
    expect(missing.json<{ error: { message: string } }>().error.message).toContain(
      'minke agents enroll ghost',
    );
  });

  it('searches the fleet by facts and shows the matching values', async () => {
    const search = async (where: string, query = '') =>
      viewer.get(`/api/facts?where=${encodeURIComponent(where)}${query}`);
    const equal = (await search('facts.os.release = "12"')).json<{
      paths: string[];
      items: { host: string; node: string | null; online: boolean | null; values: object }[];
      total: number;
    }>();
    expect(equal.paths).toEqual(['facts.os.release']);
    expect(equal.items).toEqual([
      {
        hostId: expect.any(Number) as number,
        host: 'web-1',
        node: 'web-1',
        online: true,
        values: { 'facts.os.release': '12' },
      },
    ]);
    const compared = (await search('facts.os.release >= 11')).json<typeof equal>();
    expect(compared.items.map((i) => [i.host, i.values])).toEqual([
      ['web-1', { 'facts.os.release': '12' }],
      ['web-2', { 'facts.os.release': '11' }],
    ]);
    const contains = (await search('facts.packages ~ nginx')).json<typeof equal>();
    expect(contains.items.map((i) => [i.host, i.values])).toEqual([
      ['web-1', { 'facts.packages': ['nginx', 'curl'] }],
    ]);
    // A host without the fact counts as "not equal", and shows null.
    const without = (await search('facts.os.release != "12"')).json<typeof equal>();
    expect(without.items.map((i) => [i.host, i.values])).toEqual([
      ['db-1', { 'facts.os.release': null }],
      ['web-2', { 'facts.os.release': '11' }],
    ]);
    const paged = (await search('facts.os exists', '&limit=1&offset=1')).json<typeof equal>();
    expect([paged.total, paged.items.map((i) => i.host)]).toEqual([2, ['web-2']]);

    const bad = await search('facts.os.release = ');
    expect(bad.statusCode).toBe(400);
    expect(bad.json<{ error: { message: string } }>().error.message).toMatch(/expected a value/i);
    const noPlugin = await search('facts exists');
    expect(noPlugin.statusCode).toBe(400);
    expect(noPlugin.json<{ error: { message: string } }>().error.message).toContain(
      'name a plugin',
    );
    expect((await search('  ')).statusCode).toBe(400);
  });

  it("gives a host's current facts per plugin; none for a host without an agent", async () => {
    const reply = (await viewer.get('/api/hosts/web-1/facts')).json<{
      agent: { node: string; online: boolean };
      facts: { plugin: string; value: unknown; collectedAt: string; requestId: string | null }[];
    }>();
    expect(reply.agent).toMatchObject({ node: 'web-1', online: true });
    expect(reply.facts.map((f) => [f.plugin, f.value, f.collectedAt, f.requestId])).toEqual([
      ['os', { release: '12', id: 'debian' }, at(1), null],
      ['packages', ['nginx', 'curl'], at(1), null],
    ]);
    expect((await viewer.get('/api/hosts/db-1/facts')).json()).toEqual({
      host: 'db-1',
      agent: null,
      facts: [],
    });
    const missing = await viewer.get('/api/hosts/nowhere/facts');
    expect(missing.statusCode).toBe(404);
    expect(missing.json<{ error: { message: string } }>().error.message).toContain(
      'host nowhere does not exist',
    );
  });

  it('answers facts in every result format, the Python-literal ones too', async () => {
    await facts.storeResults([
      factResult({
        node: 'web-2',
        plugin: 'pyinfo',
        format: 'pydict',
        value: { kernel: '6.1', cpus: [0, 1] },
        finishedAt: at(1),
      }),
    ]);
    const reply = await viewer.get('/api/hosts/web-2/facts');
    expect(reply.statusCode).toBe(200);
    expect(
      reply.json<{ facts: { plugin: string; format: string; value: unknown }[] }>().facts,
    ).toContainEqual(
      expect.objectContaining({
        plugin: 'pyinfo',
        format: 'pydict',
        value: { kernel: '6.1', cpus: [0, 1] },
      }),
    );
  });

  it('keeps a history row per change, each with its diff against the version before', async () => {
    await facts.storeResults([
      // the same value again: no history row
      factResult({
        node: 'web-1',
        plugin: 'os',
        value: { id: 'debian', release: '12' },
        finishedAt: at(2),
      }),
    ]);
    await facts.storeResults([
      factResult({
        node: 'web-1',
        plugin: 'os',
        value: { release: '13', codename: 'trixie' },
        finishedAt: at(3),
      }),
    ]);
    type History = {
      total: number;
      items: { value: unknown; collectedAt: string; changes: unknown[] | null }[];
    };
    const history = (await viewer.get('/api/hosts/web-1/facts/history?plugin=os')).json<History>();
    expect(history.total).toBe(2);
    expect(history.items.map((i) => i.collectedAt)).toEqual([at(3), at(1)]);
    expect(history.items[0]?.changes).toEqual([
      { path: ['codename'], kind: 'added', after: 'trixie' },
      { path: ['id'], kind: 'removed', before: 'debian' },
      { path: ['release'], kind: 'changed', before: '12', after: '13' },
    ]);
    expect(history.items[1]?.changes).toBeNull();
    // a page of one still diffs against the version before it
    const first = (
      await viewer.get('/api/hosts/web-1/facts/history?plugin=os&limit=1')
    ).json<History>();
    expect(first.items).toHaveLength(1);
    expect(first.items[0]?.changes).toHaveLength(3);
    const current = (await viewer.get('/api/hosts/web-1/facts')).json<{
      facts: { plugin: string; value: unknown }[];
    }>();
    expect(current.facts.find((f) => f.plugin === 'os')?.value).toEqual({
      release: '13',
      codename: 'trixie',
    });
    expect((await viewer.get('/api/hosts/web-1/facts/history?plugin=Bad%20Name')).statusCode).toBe(
      400,
    );
    expect((await viewer.get('/api/hosts/web-1/facts/history')).statusCode).toBe(400);
  });

  it("pages a fact's history after a version it names (`before`), at any depth", async () => {
    // Two versions share a time: the page order (time, then row) breaks the tie the same way.
    const times = [at(10), at(11), at(12), at(12), at(13)];
    for (const [i, finishedAt] of times.entries())
      await facts.storeResults([
        factResult({ node: 'web-1', plugin: 'pkgs', value: { count: i }, finishedAt }),
      ]);
    type Page = {
      total: number;
      items: { value: unknown; resultId: string; changes: unknown[] | null }[];
    };
    const path = '/api/hosts/web-1/facts/history?plugin=pkgs';
    const whole = (await viewer.get(path)).json<Page>();
    expect(whole.items.map((item) => item.value)).toEqual(
      [4, 3, 2, 1, 0].map((count) => ({ count })),
    );
    const read: Page['items'] = [];
    let before: string | undefined;
    for (let page = 0; page < 5; page++) {
      const reply = (
        await viewer.get(`${path}&limit=2${before ? `&before=${before}` : ''}`)
      ).json<Page>();
      expect(reply.total).toBe(5);
      if (reply.items.length === 0) break;
      read.push(...reply.items);
      before = reply.items.at(-1)?.resultId;
    }
    // The same versions in the same order, each diffed against the one before it as on one page.
    expect(read).toEqual(whole.items);

    const unknown = await viewer.get(`${path}&before=no-such-result`);
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json<{ error: { message: string } }>().error.message).toBe(
      'no version of fact pkgs has the resultId no-such-result',
    );
    const both = await viewer.get(`${path}&offset=1&before=${whole.items[0]?.resultId}`);
    expect(both.statusCode).toBe(400);
    expect(both.json<{ error: { message: string } }>().error.message).toBe(
      'give offset or before, not both',
    );
    // By node name the same.
    const byNode = (
      await viewer.get(
        `/api/agents/web-1/facts/history?plugin=pkgs&before=${whole.items[3]?.resultId}`,
      )
    ).json<Page>();
    expect(byNode.items).toEqual(whole.items.slice(4));
  });

  it('refuses dispatch with 503 while the agent services are not running', async () => {
    const reply = await operator.post('/api/dispatch', { plugin: 'os', all: true });
    expect(reply.statusCode).toBe(503);
    expect(reply.json<{ error: { message: string } }>().error.message).toContain(
      'agent services are not running',
    );
    const viewerTry = await viewer.post('/api/dispatch', { plugin: 'os', all: true });
    expect(viewerTry.statusCode).toBe(403);
  });

  it('records a dispatch (202) and shows how each node is doing', async () => {
    services = await startAgentServices(h.project, { port: 0, listen: '127.0.0.1' });
    agentRef.current = services;
    // the gateway starts everyone offline; web-1 says it is back
    const agents = new AgentStore(h.project);
    await agents.recordPresence(presence('web-1', true));

    const byWhere = await operator.post('/api/dispatch', {
      plugin: 'os',
      where: 'facts.os.release = "13"',
    });
    expect(byWhere.statusCode).toBe(202);
    expect(byWhere.json()).toMatchObject({ plugin: 'os', nodes: ['web-1'], skipped: [] });

    const reply = await operator.post('/api/dispatch', { plugin: 'os', all: true });
    expect(reply.statusCode).toBe(202);
    const created = reply.json<{ id: string; nodes: string[]; expiresAt: string }>();
    expect(created.nodes).toEqual(['web-1', 'web-2']);
    await facts.storeResults([
      factResult({
        node: 'web-1',
        plugin: 'os',
        requestId: created.id,
        value: { release: '13', codename: 'trixie' },
      }),
    ]);
    const status = await viewer.get(`/api/dispatch/${created.id}`);
    expect(status.statusCode).toBe(200);
    expect(status.json()).toMatchObject({
      id: created.id,
      plugin: 'os',
      selection: { all: true },
      createdBy: 'operator',
      state: 'open',
      targets: [
        { node: 'web-1', state: 'answered', error: null },
        { node: 'web-2', state: 'pending' },
      ],
    });
    expect((await viewer.get('/api/dispatch/no-such-request')).statusCode).toBe(404);
  });

  it('gives clear errors for bad dispatch input and loses nothing', async () => {
    const cases: [unknown, number, string][] = [
      [{ plugin: 'os' }, 400, 'exactly one of'],
      [{ plugin: 'os', all: true, nodes: ['web-1'] }, 400, 'exactly one of'],
      [{ plugin: 'Not A Plugin', all: true }, 400, 'plugin'],
      [{ plugin: 'os', nodes: ['ghost'] }, 404, 'minke agents enroll ghost'],
      [{ plugin: 'os', where: 'name = db-1' }, 400, 'no agent on the selected host(s): db-1'],
      [{ plugin: 'os', where: 'name = ' }, 400, 'expected a value'],
      [{ plugin: 'os', all: true, ttlSeconds: 0 }, 400, 'ttlSeconds'],
      [{ plugin: 'os', all: true, extra: 1 }, 400, 'extra'],
    ];
    for (const [body, status, message] of cases) {
      const reply = await root.post('/api/dispatch', body);
      expect(reply.statusCode, JSON.stringify(body)).toBe(status);
      expect(reply.json<{ error: { message: string } }>().error.message.toLowerCase()).toContain(
        message.toLowerCase(),
      );
    }
    const count = await h.project.database.db
      .selectFrom('minke_agent_requests')
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(count.n)).toBe(2); // the two good requests of the test before
  });

  it("gives a node's facts by its node name, before a host of its name exists", async () => {
    // A node that reports before anyone adds its host: `minke facts NODE` reads it on a project.
    await new AgentStore(h.project).recordPresence(presence('edge-9', true));
    for (const [release, second] of [
      ['12', 1],
      ['13', 2],
    ] as const) {
      await facts.storeResults([
        factResult({ node: 'edge-9', plugin: 'os', value: { release }, finishedAt: at(second) }),
      ]);
    }
    expect((await viewer.get('/api/hosts/edge-9/facts')).statusCode).toBe(404);
    const reply = await viewer.get('/api/agents/edge-9/facts');
    expect(reply.statusCode).toBe(200);
    expect(reply.json()).toMatchObject({
      node: 'edge-9',
      host: null,
      online: true,
      facts: [{ node: 'edge-9', plugin: 'os', value: { release: '13' }, collectedAt: at(2) }],
    });
    const history = await viewer.get('/api/agents/edge-9/facts/history?plugin=os&limit=1');
    expect(history.json()).toMatchObject({
      node: 'edge-9',
      host: null,
      plugin: 'os',
      total: 2,
      limit: 1,
      offset: 0,
      items: [
        {
          value: { release: '13' },
          changes: [{ path: ['release'], kind: 'changed', before: '12', after: '13' }],
        },
      ],
    });
    // A node with a host names it; an unknown node says how to enrol one; a bad plugin is a 400.
    expect((await viewer.get('/api/agents/web-1/facts')).json()).toMatchObject({
      node: 'web-1',
      host: 'web-1',
    });
    const unknown = await viewer.get('/api/agents/nowhere/facts/history?plugin=os');
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json<{ error: { message: string } }>().error.message).toContain(
      'minke agents enroll nowhere',
    );
    const bad = await viewer.get('/api/agents/edge-9/facts/history?plugin=Bad%20Name');
    expect(bad.statusCode).toBe(400);
  });

  // Last: the node it enrols would count in the lists above.
  it('enrols a node for superusers only; the password is in that reply, not to be cached', async () => {
    const url = '/api/agents/edge-5/enroll';
    expect((await h.anonymous.post(url, {})).statusCode).toBe(401);
    const refused = await operator.post(url, {});
    expect(refused.statusCode).toBe(403);
    expect(refused.json<{ error: { message: string } }>().error.message).toContain('superuser');
    const enrolled = await root.post(url, { spoolBase: '/srv/spools' });
    expect(enrolled.statusCode).toBe(201);
    expect(enrolled.headers['cache-control']).toBe('no-store');
    expect(enrolled.json()).toMatchObject({
      node: 'edge-5',
      hostName: null,
      spoolDir: '/srv/spools/edge-5',
      config: { node: 'edge-5', username: 'edge-5', password: expect.stringMatching(/^\S{43}$/) },
    });
    const bad = await root.post('/api/agents/edge-5/enroll', { spoolBase: 'relative' });
    expect(bad.statusCode).toBe(400);
  });
});
