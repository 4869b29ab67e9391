import { randomUUID } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { createServer, type Socket } from 'node:net';
import { join } from 'node:path';
import { createTopics, decodeAck, PROTOCOL_VERSION, type Ack, type Result } from '@minke/protocol';
import { parse as parseYaml } from 'yaml';
import { afterEach, describe, expect, it } from 'vitest';
import {
  AgentFleet,
  nodeCommand,
  recordingLogger,
  waitUntil,
} from '../../test-support/agent-fleet.js';
import { ApiTokenStore } from '../auth/api-token-store.js';
import { silentLogger } from '../logger.js';
import { processMetrics } from '../metrics/process-metrics.js';
import { createRuntime } from '../runtime/runtime.js';
import { buildServer } from '../server/build-server.js';
import { dispatch, waitForRequest } from './dispatch.js';
import { FactStore } from './fact-store.js';
import { startAgentServices } from './start-agent-services.js';

/** The count of one `minke_agent_results_refused_total{reason=...}` series (0 before any). */
async function refusedCount(reason: string): Promise<number> {
  const text = await processMetrics.getSingleMetricAsString('minke_agent_results_refused_total');
  const line = text.split('\n').find((l) => l.includes(`reason="${reason}"`));
  return line === undefined ? 0 : Number(line.split(' ').pop());
}

/** A result as an agent would publish it. */
function resultFor(node: string, requestId: string, value: Result['value']): Result {
  const now = new Date().toISOString();
  return {
    v: PROTOCOL_VERSION,
    id: randomUUID(),
    requestId,
    node,
    plugin: 'os',
    ok: true,
    format: 'json',
    value,
    startedAt: now,
    finishedAt: now,
    durationMs: 1,
    exitCode: 0,
  };
}

describe('results bound to their request, and the per-node quota', { timeout: 60_000 }, () => {
  let fleet: AgentFleet | undefined;
  afterEach(async () => {
    await fleet?.tearDown();
    fleet = undefined;
  });

  it('refuses a result for a request addressed to another node: nothing stored, counted, the agent told why', async () => {
    fleet = await AgentFleet.create('embedded');
    await fleet.startServer();
    const f = fleet;
    await f.startAgent('web1');
    await f.enroll('web2'); // enrolled, offline: its request waits
    const answered = await f.dispatchAndWait({ plugin: 'os', nodes: ['web1'] });
    expect(answered.outcomes[0]?.state).toBe('answered');
    const waiting = await dispatch(
      { project: f.openProject, gateway: f.gateway },
      {
        plugin: 'os',
        nodes: ['web2'],
      },
    );
    const before = {
      notAddressed: await refusedCount('not-addressed'),
      unknown: await refusedCount('unknown-request'),
    };

    // mallory is an enrolled agent that knows the request ids (the CLI prints them).
    const configFile = await f.enroll('mallory');
    const { password } = parseYaml(await readFile(configFile, 'utf8')) as { password: string };
    const mallory = await f.rawClient({
      username: 'mallory',
      password,
      clientId: 'minke-agent-mallory',
    });
    const topics = createTopics(f.prefix);
    const acks: Ack[] = [];
    mallory.on('message', (_topic, payload) => {
      const ack = decodeAck(payload);
      if (ack.ok) acks.push(ack.value);
    });
    await mallory.subscribeAsync(topics.ack('mallory'), { qos: 1 });
    const payload = { marker: 'MALLORY-PAYLOAD-8d1f' };
    const forged = [
      resultFor('mallory', answered.id, payload),
      resultFor('mallory', waiting.id, payload),
      resultFor('mallory', randomUUID(), payload),
    ];
    for (const result of forged)
      await mallory.publishAsync(topics.result('mallory'), JSON.stringify(result), { qos: 1 });

    await waitUntil(
      'three refusals acknowledged',
      () => acks.flatMap((ack) => ack.refused ?? []).length === 3,
    );
    expect(f.gateway.stats.refused).toBe(3);
    // The agent is told which results and why; their ids are acknowledged, so it drops them.
    const refused = acks.flatMap((ack) => ack.refused ?? []);
    expect(refused.map((r) => r.resultId).sort()).toEqual(forged.map((r) => r.id).sort());
    expect(acks.flatMap((ack) => ack.resultIds).sort()).toEqual(forged.map((r) => r.id).sort());
    const reasons = Object.fromEntries(refused.map((r) => [r.resultId, r.reason]));
    expect(reasons[forged[0]!.id]).toBe(`request ${answered.id} was not addressed to node mallory`);
    expect(reasons[forged[2]!.id]).toMatch(/was never issued/);
    // Nothing stored: no target for mallory, web2 still waits, mallory has no fact.
    const ledger = f.gateway.ledger;
    expect((await ledger.status(answered.id))?.targets.map((t) => [t.node, t.state])).toEqual([
      ['web1', 'answered'],
    ]);
    expect((await ledger.status(waiting.id))?.targets.map((t) => [t.node, t.state])).toEqual([
      ['web2', 'pending'],
    ]);
    const agent = await f.gateway.agents.get('mallory');
    const facts = new FactStore(f.openProject.database, f.gateway.agents);
    expect(await facts.current(agent.id)).toEqual([]);
    expect(agent.lastRefusal?.reason).toMatch(/was never issued|was not addressed/);
    // Counted by reason in /metrics.
    expect(await refusedCount('not-addressed')).toBe(before.notAddressed + 2);
    expect(await refusedCount('unknown-request')).toBe(before.unknown + 1);
    // Logged as a warning, never with the result's content.
    const logged = f.serverLogs.filter((line) => line.includes('gateway: result refused'));
    expect(logged).toHaveLength(3);
    expect(logged.every((line) => line.startsWith('WARN'))).toBe(true);
    expect(f.serverLogs.join('\n')).not.toContain('MALLORY-PAYLOAD');
    // web1 is unharmed.
    const again = await f.dispatchAndWait({ plugin: 'os', nodes: ['web1'] });
    expect(again.outcomes[0]?.state).toBe('answered');
  });

  it('refuses results over the size and rate quota; the agent drops them and the API shows why', async () => {
    fleet = await AgentFleet.create('embedded');
    const f = fleet;
    const big = `console.log(JSON.stringify("x".repeat(4000)))`;
    await writeFile(
      join(f.dir, 'plugins', 'big.cfg'),
      `[big]\nname = big\ncommand = ${nodeCommand(big)}\nresult_format = json\n`,
    );
    await f.startServer({ maxResultBytes: 2048, maxResultsPerMinute: 3 });
    const agent = await f.startAgent('web1');
    const project = f.openProject;

    // Too large: refused at once, dropped from the agent's spool instead of being resent.
    const large = await dispatch(
      { project, gateway: f.gateway },
      { plugin: 'big', nodes: ['web1'] },
    );
    await waitUntil('the agent to log the refusal', () =>
      f.agentLogs('web1').some((line) => line.includes('result refused by the server; dropped')),
    );
    await waitUntil('an empty spool', () => agent.spool.resultCount === 0);
    const sizeLine = f.agentLogs('web1').find((line) => line.includes('result refused'));
    expect(sizeLine).toMatch(/more than the server's limit of 2048 \(agents\.maxResultBytes\)/);
    expect(sizeLine).not.toContain('xxxx');
    expect((await f.gateway.ledger.status(large.id))?.targets[0]?.state).toBe('delivered');

    // Too frequent: three a minute pass (the refused one took none), the fourth is refused.
    for (let i = 0; i < 3; i++) {
      const ok = await f.dispatchAndWait({ plugin: 'greeting', nodes: ['web1'] });
      expect(ok.outcomes[0]?.state).toBe('answered');
    }
    await dispatch({ project, gateway: f.gateway }, { plugin: 'greeting', nodes: ['web1'] });
    await waitUntil('the rate refusal', async () =>
      /results a minute/.test((await f.gateway.agents.get('web1')).lastRefusal?.reason ?? ''),
    );
    await waitUntil('an empty spool', () => agent.spool.resultCount === 0);
    // A node over its rate is told each time, and logged about once a minute.
    await dispatch({ project, gateway: f.gateway }, { plugin: 'greeting', nodes: ['web1'] });
    await waitUntil('the second rate refusal', () => f.gateway.stats.refused === 3);
    const rateLines = f.serverLogs.filter((line) => line.includes('results a minute'));
    expect(rateLines).toHaveLength(1);
    await waitUntil('an empty spool', () => agent.spool.resultCount === 0);

    // What an operator sees: GET /api/agents names the last refusal and when.
    const runtime = createRuntime(project, { quiet: true });
    const app = await buildServer({ project, runtime, logger: silentLogger, webRoot: null });
    try {
      const user = await project.users.create({
        username: 'root',
        password: 'correct horse battery',
        superuser: true,
      });
      const { token } = await new ApiTokenStore(project.database).create({ userId: user.id });
      const reply = await app.inject({
        method: 'GET',
        url: '/api/agents',
        headers: { authorization: `Bearer ${token}` },
      });
      expect(reply.statusCode).toBe(200);
      const [item] = reply.json<{ items: { node: string; lastRefusal: unknown }[] }>().items;
      expect(item).toMatchObject({
        node: 'web1',
        lastRefusal: {
          reason: 'more than 3 results a minute from this node (agents.maxResultsPerMinute)',
          at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        },
      });
    } finally {
      await app.close();
      await runtime.close();
    }
    const { outcomes } = await waitForRequest(project, large.id, { timeoutMs: 100, pollMs: 50 });
    expect(outcomes[0]?.state).not.toBe('answered');
  });
});

describe('the gateway and a dead external broker', { timeout: 60_000 }, () => {
  it('reconnects with growing, jittered delays and logs the outage once', async () => {
    // A "broker" that takes each connection and hangs up at once: every attempt fails.
    const attempts: number[] = [];
    const sockets = new Set<Socket>();
    const server = createServer((socket) => {
      attempts.push(performance.now());
      sockets.add(socket);
      socket.destroy();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    const dead = await AgentFleet.create('embedded');
    const logs: string[] = [];
    try {
      const { resolveConfig } = await import('../config/resolve-config.js');
      const { openProject } = await import('../runtime/open-project.js');
      const config = resolveConfig(
        { database: 'sqlite:minke.db', mqtt: { url: `mqtt://127.0.0.1:${port}` } },
        { projectDir: dead.dir, configFile: join(dead.dir, 'minke.config.ts') },
        {},
      );
      config.agents.signingKeyFile = join(dead.dir, 'signing.pem');
      const project = await openProject(config, { migrate: true });
      const services = await startAgentServices(project, {
        logger: recordingLogger(logs),
        gateway: { reconnect: { minMs: 50, maxMs: 400 } },
      });
      try {
        await waitUntil('seven attempts', () => attempts.length >= 7, 20_000);
      } finally {
        await services.close();
        await project.close();
      }
    } finally {
      server.close();
      await dead.tearDown();
    }
    // Attempt k waits at least half its step: 25, 50, 100, 200, 200, 200 ms (the cap is 400).
    const gaps = attempts.slice(1, 7).map((at, i) => at - (attempts[i] as number));
    const floors = [25, 50, 100, 200, 200, 200];
    gaps.forEach((gap, i) =>
      expect(gap, `gap ${i}`).toBeGreaterThanOrEqual((floors[i] as number) - 2),
    );
    // The outage is one warning; each attempt is a debug line.
    expect(logs.filter((line) => line.includes('cannot reach the broker'))).toHaveLength(1);
    expect(logs.filter((line) => line.startsWith('WARN')).length).toBeLessThanOrEqual(3);
    expect(
      logs.filter((line) => line.includes('gateway: reconnecting')).length,
    ).toBeGreaterThanOrEqual(6);
  });
});
