import { join } from 'node:path';
import type { Result } from '@minke/protocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AgentFleet, waitUntil } from '../../test-support/agent-fleet.js';
import { mosquittoInstalled } from '../../test-support/broker-mosquitto.js';
import {
  startRestartableMosquitto,
  type RestartableMosquitto,
} from '../../test-support/broker-mosquitto-restartable.js';
import { resolveConfig } from '../config/resolve-config.js';
import { openProject, type OpenedProject } from '../runtime/open-project.js';
import { AgentStore } from './agent-store.js';
import { dispatch, waitForRequest } from './dispatch.js';
import type { StoreOutcome } from './fact-store.js';
import { FactStore } from './fact-store.js';
import type { AgentGateway } from './gateway.js';

const canRunMosquitto = await mosquittoInstalled();

/** How a case takes the broker away and brings it back. */
interface BrokerCase {
  name: string;
  skip: boolean;
  /** Starts the broker (if external), the server and one agent. */
  setUp(): Promise<Harness>;
}

interface Harness {
  fleet: AgentFleet;
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Where requests are made while the broker is away (the server's, or another process's). */
  dispatchProject(): Promise<OpenedProject>;
  tearDown(): Promise<void>;
}

/** A private Mosquitto restarted under a running server and agent. */
function mosquittoCase(persistence: boolean): BrokerCase {
  return {
    name: `Mosquitto ${persistence ? 'with' : 'without'} persistence restarted`,
    skip: !canRunMosquitto,
    async setUp() {
      const broker: RestartableMosquitto = await startRestartableMosquitto({
        prefix: 'minke/v1',
        persistence,
      });
      const password = 'server-secret-for-this-test';
      await broker.addUser('minke-server', password);
      const fleet = await AgentFleet.create('mosquitto', {
        url: `mqtt://minke-server@127.0.0.1:${broker.port}`,
        password,
        addUser: (name, secret) => broker.addUser(name, secret),
      });
      await fleet.startServer();
      return {
        fleet,
        stop: () => broker.stop(),
        start: () => broker.start(),
        dispatchProject: () => Promise.resolve(fleet.openProject),
        async tearDown() {
          await fleet.tearDown();
          await broker.dispose();
        },
      };
    },
  };
}

/** The embedded broker goes away with its server, and comes back on the same port with it. */
const embeddedCase: BrokerCase = {
  name: 'embedded broker restarted with its server',
  skip: false,
  async setUp() {
    const fleet = await AgentFleet.create('embedded');
    await fleet.startServer();
    const handles: OpenedProject[] = [];
    return {
      fleet,
      stop: () => fleet.stopServer(),
      start: async () => void (await fleet.startServer()),
      // While the server is down, `minke dispatch` in another process only writes the ledger.
      async dispatchProject() {
        if (fleet.project) return fleet.project;
        const config = resolveConfig(
          { database: 'sqlite:minke.db' },
          { projectDir: fleet.dir, configFile: join(fleet.dir, 'minke.config.ts') },
          {},
        );
        const handle = await openProject(config);
        handles.push(handle);
        return handle;
      },
      async tearDown() {
        for (const handle of handles) await handle.close();
        await fleet.tearDown();
      },
    };
  },
};

/** The id of the signed message a node gets for a request (what the agent logs and answers). */
async function messageIdOf(project: OpenedProject, requestId: string, node: string) {
  const row = await project.database.db
    .selectFrom('minke_agent_request_targets')
    .select('message_id')
    .where('request_id', '=', requestId)
    .where('node', '=', node)
    .executeTakeFirstOrThrow();
  return String(row.message_id);
}

/** Every outcome the gateway reported for the results of one request message. */
function outcomesOf(gateway: AgentGateway, messageId: string) {
  const seen: { resultId: string; outcome: StoreOutcome }[] = [];
  const stop = gateway.onStored((results: Result[], outcomes: StoreOutcome[]) => {
    results.forEach((result, i) => {
      if (result.requestId === messageId)
        seen.push({ resultId: result.id, outcome: outcomes[i] as StoreOutcome });
    });
  });
  return { seen, stop };
}

/** Agent log lines of one kind for one request. */
function agentLines(fleet: AgentFleet, node: string, text: string, messageId: string): string[] {
  return fleet.agentLogs(node).filter((line) => line.includes(text) && line.includes(messageId));
}

async function factValues(fleet: AgentFleet, node: string, plugin: string) {
  const agents = new AgentStore(fleet.openProject);
  const facts = new FactStore(fleet.openProject.database, agents);
  const id = (await agents.get(node)).id;
  return {
    current: (await facts.current(id, plugin)).map((fact) => fact.value),
    history: (await facts.history(id, plugin)).length,
  };
}

describe.each([mosquittoCase(false), mosquittoCase(true), embeddedCase])(
  'agents across a broker restart: $name',
  { timeout: 90_000 },
  (brokerCase) => {
    let harness: Harness | undefined;
    const node = 'web1';

    beforeEach(async (context) => {
      if (brokerCase.skip) context.skip();
      harness = await brokerCase.setUp();
      await harness.fleet.startAgent(node);
      // Set up and answering before the fault.
      const before = await harness.fleet.dispatchAndWait({ plugin: 'os', nodes: [node] });
      expect(before.outcomes).toEqual([{ node, state: 'answered', error: null }]);
    });
    afterEach(async () => {
      await harness?.tearDown();
      harness = undefined;
    });

    it('keeps a request made while the broker is down and delivers it once it is back', async () => {
      const { fleet } = harness as Harness;
      await harness?.stop();
      await waitUntil('the agent to notice', () =>
        fleet.agentLogs(node).some((line) => line.includes('disconnected from the broker')),
      );

      const project = await (harness as Harness).dispatchProject();
      const request = await dispatch(
        { project, gateway: fleet.services?.gateway },
        { plugin: 'greeting', nodes: [node] },
      );
      // What the user is told: the request is recorded for the node and waits.
      expect(request.nodes).toEqual([node]);
      expect(request.skipped).toEqual([]);
      const messageId = await messageIdOf(project, request.id, node);
      const waiting = await waitForRequest(project, request.id, { timeoutMs: 300, pollMs: 50 });
      expect(waiting.status.state).toBe('open');
      expect(waiting.outcomes).toEqual([{ node, state: 'timeout', error: 'no answer (pending)' }]);

      await harness?.start();
      const stored = outcomesOf(fleet.gateway, messageId);
      const { outcomes } = await waitForRequest(fleet.openProject, request.id, {
        timeoutMs: 30_000,
        pollMs: 50,
      });
      expect(outcomes).toEqual([{ node, state: 'answered', error: null }]);
      // A few resend intervals later: still exactly one result, stored once, run once.
      await new Promise((resolve) => setTimeout(resolve, 1000));
      stored.stop();
      expect(stored.seen.filter((s) => s.outcome !== 'duplicate')).toEqual([
        { resultId: expect.any(String) as string, outcome: 'stored' },
      ]);
      expect(new Set(stored.seen.map((s) => s.resultId)).size).toBe(1);
      expect(agentLines(fleet, node, 'request accepted', messageId)).toHaveLength(1);
      expect(await factValues(fleet, node, 'greeting')).toEqual({
        current: ['hello\n'], // a string result is stdout as printed (Vogeler)
        history: 1,
      });
      expect((await fleet.gateway.agents.get(node)).online).toBe(true);
    });

    it('delivers a result the agent produced while the broker was down, once', async () => {
      const { fleet } = harness as Harness;
      const request = await dispatch(
        { project: fleet.openProject, gateway: fleet.gateway },
        { plugin: 'slow', nodes: [node] },
      );
      const messageId = await messageIdOf(fleet.openProject, request.id, node);
      await waitUntil('the agent to take the request', () =>
        agentLines(fleet, node, 'request accepted', messageId).some(Boolean),
      );
      await harness?.stop(); // the plugin is still running (1.5 s)
      await waitUntil(
        'the result in the spool',
        () => fleet.agents.get(node)?.agent.spool.resultCount === 1,
        10_000,
      );
      // Made after the agent lost the broker: it waits in the spool, and the ledger knows it
      // was delivered but not answered.
      const logs = fleet.agentLogs(node);
      const lost = logs.findIndex((line) => line.includes('disconnected from the broker'));
      const ready = logs.findIndex((l) => l.includes('result ready') && l.includes(messageId));
      expect(lost).toBeGreaterThanOrEqual(0);
      expect(ready).toBeGreaterThan(lost);
      const project = await (harness as Harness).dispatchProject();
      const status = await waitForRequest(project, request.id, { timeoutMs: 1, pollMs: 1 });
      expect(status.outcomes).toEqual([{ node, state: 'timeout', error: 'no answer (delivered)' }]);

      await harness?.start();
      const stored = outcomesOf(fleet.gateway, messageId);
      const { outcomes } = await waitForRequest(fleet.openProject, request.id, {
        timeoutMs: 30_000,
        pollMs: 50,
      });
      expect(outcomes).toEqual([{ node, state: 'answered', error: null }]);
      await waitUntil(
        'the spool to empty',
        () => fleet.agents.get(node)?.agent.spool.resultCount === 0,
        15_000,
      );
      await new Promise((resolve) => setTimeout(resolve, 1000)); // more resend intervals
      stored.stop();
      expect(stored.seen.filter((s) => s.outcome !== 'duplicate')).toEqual([
        { resultId: expect.any(String) as string, outcome: 'stored' },
      ]);
      expect(new Set(stored.seen.map((s) => s.resultId)).size).toBe(1);
      expect(agentLines(fleet, node, 'request accepted', messageId)).toHaveLength(1);
      expect(await factValues(fleet, node, 'slow')).toEqual({
        current: [{ done: true }],
        history: 1,
      });
    });
  },
);
