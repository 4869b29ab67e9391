import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  acceptRequest,
  createTopics,
  encodeMessage,
  parsePublicKey,
  PROTOCOL_VERSION,
  ReplayGuard,
} from '@minke/protocol';
import mqtt, { type MqttClient } from 'mqtt';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MOSQUITTO_URL, mosquittoReachable } from '../../test-support/agent-fleet.js';
import { resolveConfig } from '../config/resolve-config.js';
import { silentLogger } from '../logger.js';
import { openProject, type OpenedProject } from '../project/open-project.js';
import { AgentStore } from './agent-store.js';
import { dispatch, waitForRequest } from './dispatch.js';
import { AgentGateway } from './gateway.js';
import { loadSigningKey } from './signing-key.js';

const canReach = await mosquittoReachable();
const NODES = 40;

/**
 * Two gateways on one external broker (the shared Mosquitto, a topic prefix of its own) in one
 * MQTT 5 shared-subscription group: the broker gives each result to one gateway, so together
 * they receive and store each result once.
 */
describe.skipIf(!canReach)('two gateways sharing the results', { timeout: 60_000 }, () => {
  let dir: string;
  let project: OpenedProject;
  const gateways: AgentGateway[] = [];
  let agentSide: MqttClient | undefined;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'minke-shared-gateways-'));
    const prefix = `test-${randomUUID().slice(0, 8)}/minke/v1`;
    const config = resolveConfig(
      { database: 'sqlite:minke.db', mqtt: { url: MOSQUITTO_URL, topicPrefix: prefix } },
      { projectDir: dir, configFile: join(dir, 'minke.config.ts') },
      {},
    );
    project = await openProject(config, { migrate: true });
  });
  afterEach(async () => {
    await agentSide?.endAsync(true);
    await Promise.all(gateways.splice(0).map((gateway) => gateway.close()));
    await project.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('stores each of N results once, split between the gateways', async () => {
    const { topicPrefix } = project.config.mqtt;
    const topics = createTopics(topicPrefix);
    const sharedGroup = `minke-${randomUUID().slice(0, 8)}`;
    for (let i = 0; i < 2; i++) {
      gateways.push(
        await AgentGateway.start({
          project,
          brokerUrl: MOSQUITTO_URL,
          topicPrefix,
          logger: silentLogger,
          pollIntervalMs: 100,
          sharedGroup,
        }),
      );
    }
    await Promise.all(gateways.map((gateway) => gateway.ready));
    const agents = new AgentStore(project);
    const nodes = Array.from({ length: NODES }, (_, i) => `node-${i}`);
    for (const node of nodes) await agents.ensure(node);

    // The agents' side: one client answers the broadcast for every node.
    const signingKey = await loadSigningKey(project.database, project.config.agents.signingKeyFile);
    agentSide = await mqtt.connectAsync(MOSQUITTO_URL, { clientId: `agents-${sharedGroup}` });
    const client = agentSide;
    const key = parsePublicKey(signingKey.publicKeyBase64);
    if (!key.ok) throw new Error(key.reason);
    const guards = new Map(nodes.map((node) => [node, new ReplayGuard()]));
    client.on('message', (_topic, payload) => {
      for (const node of nodes) {
        const outcome = acceptRequest(payload, {
          node,
          publicKeys: key.value,
          guard: guards.get(node) as ReplayGuard,
        });
        if (!outcome.ok) continue;
        const now = new Date().toISOString();
        const result = {
          v: PROTOCOL_VERSION,
          id: randomUUID(),
          requestId: outcome.request.id,
          node,
          plugin: outcome.request.plugin,
          ok: true,
          format: 'json' as const,
          value: { node },
          startedAt: now,
          finishedAt: now,
          durationMs: 0,
          exitCode: 0,
        };
        void client.publishAsync(topics.result(node), encodeMessage(result), { qos: 1 });
      }
    });
    await client.subscribeAsync(topics.requestAll, { qos: 1 });

    const request = await dispatch({ project, signingKey }, { plugin: 'facts', all: true });
    const { status } = await waitForRequest(project, request.id, { timeoutMs: 30_000 });
    expect(status.targets.filter((target) => target.state === 'answered')).toHaveLength(NODES);

    const history = await project.database.db
      .selectFrom('minke_fact_history')
      .select(['result_id'])
      .execute();
    expect(new Set(history.map((row) => String(row.result_id))).size).toBe(NODES);
    expect(history).toHaveLength(NODES);
    // Each result reached one gateway only, and both took a share.
    const received = gateways.map((gateway) => gateway.stats.received);
    expect(received.reduce((n, count) => n + count, 0)).toBe(NODES);
    expect(Math.min(...received)).toBeGreaterThan(0);
    expect(gateways.reduce((n, gateway) => n + gateway.stats.duplicates, 0)).toBe(0);
  });
});
