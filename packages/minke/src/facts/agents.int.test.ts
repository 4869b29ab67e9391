import { readFile, stat } from 'node:fs/promises';
import {
  createRequest,
  createTopics,
  encodeMessage,
  generateSigningKeyPair,
  parsePrivateKey,
  signRequest,
} from '@minke/protocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { AgentFleet, mosquittoReachable, waitUntil } from '../../test-support/agent-fleet.js';
import {
  mosquittoInstalled,
  startPrivateMosquitto,
  type PrivateMosquitto,
} from '../../test-support/broker-mosquitto.js';
import { parseWhere } from '../query/parse-where.js';
import { AgentStore } from './agent-store.js';
import { FactStore } from './fact-store.js';
import { agentPresence } from '../../test-support/facts-fixtures.js';

const withMosquitto = await mosquittoReachable();
const canRunMosquitto = await mosquittoInstalled();

/**
 * The server side of agents and facts end to end, with the real agent engine, against each
 * broker: the embedded one (aedes, in process, on a free port) and the shared Mosquitto (random
 * topic prefix and node names). Mosquitto here runs without ACLs, so what only the embedded
 * broker enforces (credentials, topics per agent) is tested on it alone, below.
 */
describe.each([
  { kind: 'embedded' as const, skip: false },
  { kind: 'mosquitto' as const, skip: !withMosquitto },
])('agents and facts on the $kind broker', ({ kind, skip }) => {
  let fleet: AgentFleet;

  beforeEach(async (context) => {
    if (skip) context.skip();
    fleet = await AgentFleet.create(kind);
    await fleet.startServer();
  });
  afterEach(async () => {
    await fleet?.tearDown();
  });

  const factsOf = async (node: string, plugin?: string) => {
    const project = fleet.openProject;
    const agents = new AgentStore(project);
    return new FactStore(project.database, agents).current((await agents.get(node)).id, plugin);
  };

  it('answers broadcast and targeted requests in every format, and stores the facts', async () => {
    const [n1, n2] = [fleet.node('web1'), fleet.node('web2')];
    await fleet.openProject.hosts.add({ name: n1 });
    await fleet.startAgent(n1);
    await fleet.startAgent(n2);
    await waitUntil(
      'both online',
      async () => (await fleet.gateway.agents.onlineNodes()).size === 2,
    );
    const broadcast = await fleet.dispatchAndWait({ plugin: 'os', all: true });
    expect(broadcast.outcomes.map((o) => o.state)).toEqual(['answered', 'answered']);
    for (const plugin of ['packages', 'lines', 'greeting', 'raw']) {
      const targeted = await fleet.dispatchAndWait({ plugin, nodes: [n1] });
      expect(targeted.outcomes).toEqual([{ node: n1, state: 'answered', error: null }]);
    }
    const facts = await factsOf(n1);
    expect(Object.fromEntries(facts.map((f) => [f.plugin, [f.format, f.value]]))).toEqual({
      os: ['json', { release: '12', id: 'debian' }],
      packages: ['yaml', ['nginx', 'curl']],
      // Vogeler's formats exactly: lines stripped, a last "" after the final newline; string as printed.
      lines: ['output', ['a', 'b', '']],
      greeting: ['string', 'hello\n'],
      raw: ['raw', 'x\ny\n'],
    });
    expect(facts.find((f) => f.plugin === 'os')?.requestId).toBe(broadcast.id);
    expect(await factsOf(n2)).toHaveLength(1);
    // Agents report their plugins and the file they refused to load (none here).
    const listed = await fleet.gateway.agents.list();
    expect(listed.map((a) => [a.node, a.online, a.plugins.length])).toEqual([
      [n1, true, 9],
      [n2, true, 9],
    ]);
    // Fact queries select hosts, and nodes to dispatch to (n2 has no host).
    const hosts = await fleet.openProject.records.list('Host', {
      filter: parseWhere('facts.packages ~ nginx'),
    });
    expect(hosts.items.map((h) => h['name'])).toEqual([n1]);
    const byFacts = await fleet.dispatchAndWait({
      plugin: 'greeting',
      where: 'facts.os.id = debian',
    });
    expect(byFacts.outcomes.map((o) => o.node)).toEqual([n1]);
    // Stored once each, acknowledged: the spools are empty.
    await waitUntil('empty spools', () =>
      [n1, n2].every((node) => fleet.agents.get(node)?.agent.spool.resultCount === 0),
    );
  });

  it('reports an unauthorized plugin and plugins that fail, hang or print invalid JSON', async () => {
    const node = fleet.node('web1');
    await fleet.startAgent(node);
    const expectations: Record<string, RegExp> = {
      'rm-everything': /^not authorized on this node$/,
      fails: /^command exited with code 3: boom$/,
      hangs: /timed out after 0\.5 s/,
      badjson: /JSON/i,
    };
    for (const [plugin, error] of Object.entries(expectations)) {
      const { outcomes } = await fleet.dispatchAndWait({ plugin, nodes: [node] });
      expect(outcomes).toHaveLength(1);
      expect(outcomes[0]).toMatchObject({ node, state: 'failed' });
      expect(outcomes[0]?.error).toMatch(error);
    }
    expect(await factsOf(node)).toEqual([]);
    // The gateway is still at work.
    const after = await fleet.dispatchAndWait({ plugin: 'os', nodes: [node] });
    expect(after.outcomes[0]?.state).toBe('answered');
  });

  it('delivers requests to an offline agent when it comes back', async () => {
    const node = fleet.node('late');
    await fleet.enroll(node); // enrolled, never connected: the broker holds no session for it
    const project = fleet.openProject;
    const { dispatch, waitForRequest } = await import('./dispatch.js');
    const targeted = await dispatch(
      { project, gateway: fleet.gateway },
      { plugin: 'os', nodes: [node] },
    );
    const broadcast = await dispatch(
      { project, gateway: fleet.gateway },
      { plugin: 'lines', all: true },
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    const ledger = fleet.gateway.ledger;
    expect((await ledger.status(targeted.id))?.targets[0]?.state).toBe('pending');
    await fleet.startAgent(node);
    for (const id of [targeted.id, broadcast.id]) {
      const { outcomes } = await waitForRequest(project, id, { timeoutMs: 10_000, pollMs: 50 });
      expect(outcomes).toEqual([{ node, state: 'answered', error: null }]);
    }
    // Gone again: a new request waits, and arrives at the next start.
    await fleet.stopAgent(node);
    await waitUntil('offline', async () => !(await fleet.gateway.agents.get(node)).online);
    const third = await dispatch(
      { project, gateway: fleet.gateway },
      { plugin: 'greeting', nodes: [node] },
    );
    await fleet.startAgent(node);
    const { outcomes } = await waitForRequest(project, third.id, { timeoutMs: 10_000, pollMs: 50 });
    expect(outcomes[0]?.state).toBe('answered');
    // Each request ran once on the agent (republished copies are dropped as replays).
    const ran = fleet.agentLogs(node).filter((line) => line.includes('request accepted'));
    expect(ran).toHaveLength(3);
  });

  it('keeps results while the server is down and stores them once when it returns', async () => {
    const node = fleet.node('web1');
    const agent = await fleet.startAgent(node);
    const project = fleet.openProject;
    const { dispatch } = await import('./dispatch.js');
    const request = await dispatch(
      { project, gateway: fleet.gateway },
      { plugin: 'slow', nodes: [node] },
    );
    await waitUntil('the agent to take the request', () =>
      fleet.agentLogs(node).some((line) => line.includes('request accepted')),
    );
    await fleet.stopServer(); // the plugin is still running
    await waitUntil('the result in the spool', () => agent.spool.resultCount === 1, 10_000);
    await new Promise((resolve) => setTimeout(resolve, 700)); // resends into the void
    expect(agent.spool.resultCount).toBe(1);
    await fleet.startServer();
    await waitUntil('the spool to empty', () => agent.spool.resultCount === 0, 15_000);
    await new Promise((resolve) => setTimeout(resolve, 700)); // more resend intervals
    const status = await fleet.gateway.ledger.status(request.id);
    expect(status?.targets.map((t) => t.state)).toEqual(['answered']);
    const agents = new AgentStore(fleet.openProject);
    const facts = new FactStore(fleet.openProject.database, agents);
    const id = (await agents.get(node)).id;
    expect((await facts.current(id, 'slow'))[0]?.value).toEqual({ done: true });
    expect(await facts.history(id, 'slow')).toHaveLength(1);
    expect(fleet.gateway.stats.stored).toBe(1);
  });

  it('has the agent drop forged, expired and replayed requests, end to end', async () => {
    const node = fleet.node('web1');
    await fleet.startAgent(node);
    const first = await fleet.dispatchAndWait({ plugin: 'os', nodes: [node] });
    expect(first.outcomes[0]?.state).toBe('answered');
    const topics = createTopics(fleet.prefix);
    const server = await serverClient(fleet);
    const other = parsePrivateKey(generateSigningKeyPair().privateKeyPem);
    if (!other.ok) throw new Error(other.reason);
    const forged = signRequest(createRequest({ plugin: 'os', target: { node } }), other.value);
    const key = fleet.services!.signingKey.privateKey;
    const expired = signRequest(
      createRequest({ plugin: 'os', target: { node }, now: new Date(Date.now() - 7_200_000) }),
      key,
    );
    const replayed = await readLedgerMessage(fleet, first.id);
    for (const message of [encodeMessage(forged), encodeMessage(expired), replayed]) {
      await server.publishAsync(topics.requestNode(node), message, { qos: 1 });
    }
    await waitUntil(
      'three drops',
      () => fleet.agentLogs(node).filter((line) => line.includes('request dropped')).length >= 3,
    );
    const drops = fleet
      .agentLogs(node)
      .filter((line) => line.includes('request dropped'))
      .join('\n');
    expect(drops).toMatch(/bad signature/);
    expect(drops).toMatch(/expired at/);
    expect(drops).toMatch(/replayed/);
    expect(fleet.agentLogs(node).filter((line) => line.includes('request accepted'))).toHaveLength(
      1,
    );
    expect(fleet.gateway.stats.stored + fleet.gateway.stats.unchanged).toBe(1);
  });

  it('logs and drops malformed messages on every topic and keeps going', async () => {
    const node = fleet.node('web1');
    await fleet.startAgent(node);
    const mallory = fleet.node('mallory');
    const topics = createTopics(fleet.prefix);
    const garbage = ['', 'not json', '[]', '{"v":1}', '\u0000\u0001', 'x'.repeat(70_000)];
    // An enrolled agent may only write garbage on its own topics.
    const bad = await agentClient(fleet, mallory);
    for (const payload of garbage) {
      await bad.publishAsync(topics.result(mallory), payload, { qos: 1 });
      await bad.publishAsync(topics.presence(mallory), payload, { qos: 1 });
    }
    // A result or presence that speaks for another node than its topic is unauthorized.
    const impostor = JSON.stringify(agentPresence(node, false));
    await bad.publishAsync(topics.presence(mallory), impostor, { qos: 1 });
    // The server's own topics get garbage too (the agent checks those).
    const server = await serverClient(fleet);
    for (const payload of garbage) {
      await server.publishAsync(topics.requestAll, payload, { qos: 1 });
      await server.publishAsync(topics.requestNode(node), payload, { qos: 1 });
      await server.publishAsync(topics.ack(node), payload, { qos: 1 });
    }
    // The impostor goes last: its drop is waited for by name (eleven drops of garbage may be
    // counted before it is read).
    await waitUntil(
      'the gateway to drop them',
      () =>
        fleet.gateway.stats.dropped >= 11 &&
        fleet.serverLogs.some((line) => line.includes('unauthorized: a presence for node')),
    );
    const dropped = fleet.serverLogs.filter((line) => line.includes('message dropped')).join('\n');
    expect(dropped).toMatch(/malformed result/);
    expect(dropped).toMatch(/malformed presence/);
    expect(dropped).toMatch(/unauthorized: a presence for node/);
    // Everyone keeps working.
    const after = await fleet.dispatchAndWait({ plugin: 'os', nodes: [node] });
    expect(after.outcomes[0]?.state).toBe('answered');
    expect((await fleet.gateway.agents.get(node)).online).toBe(true);
  });
});

describe('the embedded broker', () => {
  let fleet: AgentFleet;
  beforeEach(async () => {
    fleet = await AgentFleet.create('embedded');
    await fleet.startServer();
  });
  afterEach(async () => {
    await fleet.tearDown();
  });

  it('refuses an agent that publishes or subscribes on another node’s topics', async () => {
    await fleet.startAgent('web1');
    const topics = createTopics(fleet.prefix);
    const mallory = await agentClient(fleet, 'mallory');
    const grant = (topic: string) =>
      mallory.subscribeAsync(topic, { qos: 1 }).then(
        () => 'granted',
        (error: Error) => error.message,
      );
    for (const topic of [topics.requestNode('web1'), topics.ack('web1'), topics.resultAny])
      expect(await grant(topic), topic).toMatch(/Subscribe error/);
    expect(await grant(topics.requestAll)).toBe('granted');
    const closed = new Promise<void>((resolve) => mallory.once('close', () => resolve()));
    const forged = JSON.stringify({ v: 1, resultIds: ['00000000-0000-4000-8000-000000000000'] });
    mallory.publish(topics.result('web1'), '{"not":"mine"}', { qos: 1 });
    mallory.publish(topics.ack('web1'), forged, { qos: 1 });
    await closed;
    const logs = fleet.serverLogs.join('\n');
    expect(logs).toMatch(/publish refused.*res\/web1/);
    expect(logs).toMatch(/subscription refused.*req\/node\/web1/);
    // Nothing but web1's own presence reached the gateway.
    expect(fleet.gateway.stats).toMatchObject({ dropped: 0, stored: 0, failed: 0 });
    expect(fleet.gateway.stats.received).toBe(fleet.gateway.stats.presences);
    // web1 is unharmed.
    const after = await fleet.dispatchAndWait({ plugin: 'os', nodes: ['web1'] });
    expect(after.outcomes[0]?.state).toBe('answered');
  });

  it('refuses wrong credentials, unknown nodes and another agent’s client id', async () => {
    const file = await fleet.enroll('web1');
    const { password } = parseYaml(await readFile(file, 'utf8')) as { password: string };
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const attempt = (username: string, secret: string, clientId: string) =>
      fleet.rawClient({ username, password: secret, clientId }).then(
        () => 'connected',
        (error: Error) => error.message,
      );
    expect(await attempt('web1', 'wrong', 'minke-agent-web1')).toMatch(/Not authorized/i);
    expect(await attempt('nobody', password, 'minke-agent-nobody')).toMatch(/Not authorized/i);
    expect(await attempt('web1', password, 'minke-agent-web2')).toMatch(/Not authorized/i);
    expect(await attempt('web1', password, 'minke-agent-web1')).toBe('connected');
    const anonymous = await fleet.rawClient({ clientId: 'x' }).then(
      () => 'connected',
      (error: Error) => error.message,
    );
    expect(anonymous).toMatch(/Not authorized/i);
    // Re-enrolling revokes the old password.
    await fleet.enroll('web1');
    expect(await attempt('web1', password, 'minke-agent-web1')).toMatch(/Not authorized/i);
  });
});

describe.skipIf(!canRunMosquitto)('a Mosquitto configured as docs/agents.md says', () => {
  let broker: PrivateMosquitto;
  let fleet: AgentFleet;
  beforeEach(async () => {
    broker = await startPrivateMosquitto('minke/v1');
    const password = 'server-secret-for-this-test';
    await broker.addUser('minke-server', password);
    const port = new URL(broker.url).port;
    fleet = await AgentFleet.create('mosquitto', {
      url: `mqtt://minke-server@127.0.0.1:${port}`,
      password,
      addUser: (name, secret) => broker.addUser(name, secret),
    });
    await fleet.startServer();
  });
  afterEach(async () => {
    await fleet?.tearDown();
    await broker?.close();
  });

  it('authenticates agents and keeps each to its own topics', async () => {
    await fleet.startAgent('web1');
    const first = await fleet.dispatchAndWait({ plugin: 'os', nodes: ['web1'] });
    expect(first.outcomes[0]?.state).toBe('answered');
    const topics = createTopics(fleet.prefix);
    // An enrolled agent cannot read another's requests nor write its results.
    const mallory = await agentClient(fleet, 'mallory');
    const seen: string[] = [];
    mallory.on('message', (topic) => seen.push(topic));
    await mallory.subscribeAsync(topics.requestNode('web1'), { qos: 1 }).catch(() => undefined);
    await mallory.publishAsync(topics.result('web1'), '{"forged":true}', { qos: 1 });
    // Nor take over its session: the client id is the user name.
    const sameId = await agentClient(fleet, 'eve', 'minke-agent-web1');
    const second = await fleet.dispatchAndWait({ plugin: 'greeting', nodes: ['web1'] });
    expect(second.outcomes[0]?.state).toBe('answered');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(seen).toEqual([]);
    expect(fleet.gateway.stats.dropped).toBe(0);
    expect(sameId.connected).toBe(true);
    expect((await fleet.gateway.agents.get('web1')).online).toBe(true);
    // No anonymous clients, no wrong passwords.
    const refused = (options: object) =>
      fleet.rawClient(options).then(
        () => 'connected',
        (error: Error) => error.message,
      );
    expect(await refused({})).toMatch(/Not authorized/i);
    expect(await refused({ username: 'web1', password: 'wrong' })).toMatch(
      /Not authorized|Bad user/i,
    );
  });
});

/** An MQTT client with the server's rights (the embedded broker's, or anyone's on Mosquitto). */
async function serverClient(fleet: AgentFleet) {
  const credentials = fleet.services?.broker?.serverCredentials;
  return fleet.rawClient(
    credentials ? { ...credentials, clientId: `minke-server-test-${Date.now()}` } : {},
  );
}

/** A raw client logged in as an enrolled agent (enrolled here). */
async function agentClient(fleet: AgentFleet, node: string, clientId = `minke-agent-${node}`) {
  const file = await fleet.enroll(node);
  const { password } = parseYaml(await readFile(file, 'utf8')) as { password: string };
  return fleet.rawClient({ username: node, password, clientId });
}

async function readLedgerMessage(fleet: AgentFleet, requestId: string): Promise<string> {
  const row = await fleet.openProject.database.db
    .selectFrom('minke_agent_request_targets')
    .select('signed')
    .where('request_id', '=', requestId)
    .executeTakeFirstOrThrow();
  return String(row.signed);
}
