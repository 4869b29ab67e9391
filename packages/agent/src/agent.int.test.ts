import { createRequest, signRequest, type Presence } from '@minke/protocol';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { NOT_AUTHORIZED } from './plugins/execute-plugin.js';
import { AgentTestWorld, withTimeout } from './test-support/agent-harness.js';
import { freePort, mosquitto, startAedes, type TestBroker } from './test-support/brokers.js';
import { serverKeys, sleep, waitFor } from './test-support/fake-server.js';
import { sampleResult } from './test-support/results.js';
import { nodeCommand } from './test-support/temp.js';

const sharedMosquitto = await mosquitto();

/**
 * The same suite against each broker: the embedded default (aedes, in-process, on a free port)
 * and a real Mosquitto. Every test has its own topic prefix and node name.
 */
function agentSuite(startBroker: () => Promise<TestBroker>, stopBroker: boolean): void {
  let broker: TestBroker;
  let world: AgentTestWorld;

  beforeEach(async () => {
    broker = await startBroker();
    world = new AgentTestWorld(broker);
    await world.setUp();
  });

  afterEach(async () => {
    await world.tearDown();
    if (stopBroker) await broker.close();
  });

  it('answers a targeted and a broadcast request', async () => {
    const server = await world.server();
    const agent = await world.startAgent();
    const targeted = await server.request('hello', { node: world.node });
    const broadcast = await server.request('lines', { all: true });
    await waitFor('two results', () => server.results.length >= 2);
    expect(server.resultsFor(targeted.request.id)).toMatchObject([
      {
        node: world.node,
        plugin: 'hello',
        ok: true,
        format: 'json',
        value: { hello: 'world' },
        exitCode: 0,
      },
    ]);
    expect(server.resultsFor(broadcast.request.id)).toMatchObject([
      { node: world.node, plugin: 'lines', ok: true, format: 'output', value: ['a', 'b', ''] },
    ]);
    // Acknowledged results leave the spool.
    await waitFor('an empty spool', () => agent.spool.resultCount === 0);
  });

  it('answers a plugin it does not authorize with "not authorized on this node"', async () => {
    const server = await world.server();
    await world.startAgent();
    const unknown = await server.request('rm-everything', { all: true });
    const rejected = await server.request('broken', { all: true });
    await waitFor('two results', () => server.results.length >= 2);
    expect(server.resultsFor(unknown.request.id)).toMatchObject([
      { ok: false, plugin: 'rm-everything', error: NOT_AUTHORIZED },
    ]);
    expect(server.resultsFor(rejected.request.id)).toMatchObject([
      { ok: false, plugin: 'broken', error: NOT_AUTHORIZED },
    ]);
  });

  it('drops unsigned, expired, forged, replayed and misaddressed requests', async () => {
    const server = await world.server();
    await world.startAgent();
    const target = { node: world.node };
    const unsigned = createRequest({ plugin: 'hello', target });
    await server.publish(target, JSON.stringify({ request: unsigned }));
    const expired = createRequest({
      plugin: 'hello',
      target,
      now: new Date(Date.now() - 3_600_000),
      ttlMs: 1000,
    });
    await server.publish(target, JSON.stringify(signRequest(expired, world.keys.privateKey)));
    const forged = createRequest({ plugin: 'hello', target });
    await server.publish(target, JSON.stringify(signRequest(forged, serverKeys().privateKey)));
    const tampered = signRequest(createRequest({ plugin: 'lines', target }), world.keys.privateKey);
    await server.publish(
      target,
      JSON.stringify({ ...tampered, request: { ...tampered.request, plugin: 'hello' } }),
    );
    const misaddressed = createRequest({ plugin: 'hello', target: { node: 'someone-else' } });
    await server.publish(target, JSON.stringify(signRequest(misaddressed, world.keys.privateKey)));
    const original = await server.request('hello', target);
    await server.publish(target, JSON.stringify(original)); // the replay
    // The agent answers in order (concurrency 1), so a last marker request closes the window.
    const marker = await server.request('lines', target);
    await waitFor('the marker result', () => server.resultsFor(marker.request.id).length === 1);
    await sleep(200);
    expect(server.results.map((result) => result.requestId)).toEqual([
      original.request.id,
      marker.request.id,
    ]);
    const dropped = world.logs.filter((line) => line.includes('request dropped'));
    expect(dropped).toHaveLength(6);
    expect(dropped.join('\n')).toMatch(/not a signed request/);
    expect(dropped.join('\n')).toMatch(/expired at/);
    expect(dropped.join('\n')).toMatch(/bad signature/);
    expect(dropped.join('\n')).toMatch(/addressed to node someone-else/);
    expect(dropped.join('\n')).toMatch(/replayed/);
  });

  it('keeps going after malformed messages on the request topics', async () => {
    const server = await world.server();
    await world.startAgent();
    for (const payload of [
      '',
      'not json',
      '[]',
      '{"request": {}, "signature": "x"}',
      '\u0000\u0001',
      'x'.repeat(100_000),
    ]) {
      await server.publish({ all: true }, payload);
      await server.publish({ node: world.node }, payload);
    }
    const after = await server.request('hello', { all: true });
    await waitFor(
      'a result after the garbage',
      () => server.resultsFor(after.request.id).length === 1,
    );
    expect(server.results).toHaveLength(1);
  });

  it('receives requests published while it was stopped (persistent session, QoS 1)', async () => {
    const server = await world.server();
    const first = await world.startAgent();
    await first.stop();
    const whileAway = await server.request('hello', { node: world.node });
    const broadcastWhileAway = await server.request('lines', { all: true });
    await sleep(100);
    expect(server.results).toHaveLength(0);
    await world.startAgent();
    await waitFor('both requests answered', () => server.results.length >= 2);
    expect(server.results.map((result) => result.requestId).sort()).toEqual(
      [whileAway.request.id, broadcastWhileAway.request.id].sort(),
    );
  });

  it('keeps results in the spool until a server acknowledges them, across a restart, without duplicates after the ack', async () => {
    // A server that only publishes: nobody receives or acknowledges results.
    const publisher = await world.server({ listen: false });
    const first = await world.startAgent();
    const request = await publisher.request('hello', { node: world.node });
    await waitFor('the result in the spool', () => first.spool.resultCount === 1);
    await sleep(400); // at least one resend into the void
    expect(first.spool.resultCount).toBe(1);
    await first.stop();

    // The agent restarts; then a server that acknowledges appears.
    const second = await world.startAgent();
    expect(second.spool.resultCount).toBe(1);
    const server = await world.server();
    await waitFor('the spooled result', () => server.resultsFor(request.request.id).length >= 1);
    await waitFor('the acknowledgement to empty the spool', () => second.spool.resultCount === 0);
    const delivered = server.results.length;
    await sleep(1000); // three resend intervals
    expect(server.results.length).toBe(delivered);
    expect(new Set(server.results.map((result) => result.id)).size).toBe(1);
  });

  it("never sends another node's result left in its spool, and says so once", async () => {
    // A spool that agents used to share: a result of ours and one of another node.
    const mine = sampleResult({ node: world.node, finishedAt: '2025-01-01T00:00:01.000Z' });
    const theirs = sampleResult({ node: 'other-node', finishedAt: '2025-01-01T00:00:00.000Z' });
    await mkdir(join(world.spoolDir, 'results'), { recursive: true });
    for (const result of [mine, theirs])
      await writeFile(join(world.spoolDir, 'results', `${result.id}.json`), JSON.stringify(result));

    const server = await world.server();
    const agent = await world.startAgent();
    await waitFor('our spooled result', () => server.results.some((r) => r.id === mine.id));
    await waitFor('the acknowledgement', () => agent.spool.resultCount === 0);
    await sleep(1000); // three resend intervals
    expect(server.results.map((result) => result.id)).not.toContain(theirs.id);
    expect(agent.spool.foreign).toEqual({ results: 1, jobs: 0, nodes: ['other-node'] });
    // Left where it was, reported once.
    expect(await readdir(join(world.spoolDir, 'results'))).toEqual([`${theirs.id}.json`]);
    const reports = world.logs.filter((line) =>
      line.includes('results or requests of other nodes'),
    );
    expect(reports).toHaveLength(1);
    expect(reports[0]).toContain('"nodes":["other-node"]');
  });

  it('keeps a retained presence and says offline through its last will when the connection drops', async () => {
    const watcher = await world.server();
    // A slow first reconnect leaves time to look at the broker while the agent is away.
    await world.startAgent({ reconnectMinSeconds: 2, reconnectMaxSeconds: 2 });
    await waitFor('presence online', () =>
      watcher.presences.some((p) => p.node === world.node && p.online),
    );

    // Someone who subscribes later still sees it: it is retained.
    const late = await world.server();
    await waitFor('retained presence', () => late.presences.length > 0);
    expect(late.presences[0]).toMatchObject({
      node: world.node,
      online: true,
      plugins: [
        { name: 'hello', description: 'says hello', format: 'json', commandAlias: 'say_hello' },
        { name: 'lines', description: '', format: 'output' },
      ],
      rejected: [
        {
          file: 'broken.cfg',
          reason: expect.stringMatching(/unknown result_format \(line \d+; known/),
        },
      ],
    });

    // Cut the agent's connection without a DISCONNECT: the broker publishes the last will.
    const client = world.agentClients.at(-1)!;
    client.stream.destroy();
    const onlineBefore = watcher.presences.length;
    await waitFor('the last will', () =>
      watcher.presences.slice(onlineBefore).some((p: Presence) => !p.online),
    );
    // The will is retained too: a server starting now learns the node is offline.
    const meanwhile = await world.server();
    await waitFor('retained last will', () => meanwhile.presences.length > 0);
    expect(meanwhile.presences[0]).toMatchObject({ node: world.node, online: false });
    // And the agent comes back by itself (jittered back-off) and says so.
    await waitFor('presence online again', () => {
      const later = watcher.presences.slice(onlineBefore);
      const offline = later.findIndex((p) => !p.online);
      return offline >= 0 && later.slice(offline + 1).some((p) => p.online);
    });
    const server = await world.server();
    const after = await server.request('hello', { all: true });
    await waitFor(
      'a result after reconnecting',
      () => server.resultsFor(after.request.id).length === 1,
    );
  });

  it('says offline when it stops', async () => {
    const watcher = await world.server();
    const agent = await world.startAgent();
    await agent.stop();
    await waitFor('presence offline', () => watcher.presences.at(-1)?.online === false);
  });

  it('answers one request and finishes with --oneshot', async () => {
    const server = await world.server();
    const agent = await world.startAgent({}, { oneshot: true, oneshotAckWaitMs: 5000 });
    const request = await server.request('hello', { node: world.node });
    await withTimeout(agent.finished, 10_000, 'the oneshot agent to finish');
    expect(server.resultsFor(request.request.id)).toHaveLength(1);
    expect(agent.spool.resultCount).toBe(0);
  });
}

describe('agent against aedes (in-process)', () => {
  agentSuite(startAedes, true);

  it('delivers a result that was not acknowledged before a broker restart', async () => {
    const broker = await startAedes();
    const world = new AgentTestWorld(broker);
    try {
      await world.setUp();
      const publisher = await world.server({ listen: false });
      const agent = await world.startAgent();
      const request = await publisher.request('hello', { node: world.node });
      await waitFor('the result in the spool', () => agent.spool.resultCount === 1);
      // The new broker is empty: no session, no subscriptions, nothing queued. Only the spool remains.
      await broker.restart!();
      const server = await world.server();
      await waitFor(
        'the result after the restart',
        () => server.resultsFor(request.request.id).length >= 1,
      );
      await waitFor('the spool to empty', () => agent.spool.resultCount === 0);
    } finally {
      await world.tearDown();
      await broker.close();
    }
  });

  it('keeps trying until the broker comes up', async () => {
    const port = await freePort();
    const url = `mqtt://127.0.0.1:${port}`;
    const world = new AgentTestWorld({ name: 'aedes', url, close: () => Promise.resolve() });
    let broker: TestBroker | undefined;
    try {
      await world.setUp();
      const agent = world.startAgent({ reconnectMinSeconds: 0.05, reconnectMaxSeconds: 0.2 });
      await waitFor(
        'a few failed attempts',
        () => world.logs.filter((l) => l.includes('reconnecting')).length >= 3,
      );
      broker = await startAedes(port);
      await agent;
      const server = await world.server();
      const request = await server.request('hello', { all: true });
      await waitFor('a result', () => server.resultsFor(request.request.id).length === 1);
    } finally {
      await world.tearDown();
      await broker?.close();
    }
  });

  it('reports by itself every interval', async () => {
    const broker = await startAedes();
    const world = new AgentTestWorld(broker);
    try {
      await world.setUp({
        'tick.cfg': `[tick]\nname = tick\ncommand = ${nodeCommand('console.log("tock")')}\ninterval = 1\n`,
      });
      const server = await world.server();
      await world.startAgent();
      await waitFor('two interval results', () => server.results.length >= 2, 5000);
      expect(server.results[0]).toMatchObject({ plugin: 'tick', ok: true, value: 'tock\n' });
      expect(server.results[0]?.requestId).toBeUndefined();
    } finally {
      await world.tearDown();
      await broker.close();
    }
  });
});

describe.skipIf(!sharedMosquitto)(
  `agent against Mosquitto (${sharedMosquitto?.url ?? 'not reachable'})`,
  () => {
    agentSuite(() => Promise.resolve(sharedMosquitto!), false);

    it('keeps its session over MQTT 5 too (session expiry)', async () => {
      const world = new AgentTestWorld(sharedMosquitto!);
      try {
        await world.setUp();
        const server = await world.server();
        const first = await world.startAgent({ mqttVersion: 5, sessionExpirySeconds: 60 });
        await first.stop();
        const whileAway = await server.request('hello', { node: world.node });
        await world.startAgent({ mqttVersion: 5, sessionExpirySeconds: 60 });
        await waitFor(
          'the request sent while away',
          () => server.resultsFor(whileAway.request.id).length === 1,
        );
      } finally {
        await world.tearDown();
      }
    });
  },
);
