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
import { openProject, type OpenedProject } from '../runtime/open-project.js';
import { AgentStore } from './agent-store.js';
import { dispatch, waitForRequest } from './dispatch.js';
import { loadSigningKey } from './signing-key.js';
import { startAgentServices, type AgentServices } from './start-agent-services.js';

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
  const services: AgentServices[] = [];
  let agentSide: MqttClient | undefined;

  const open = async (mqtt: Record<string, unknown>) => {
    const config = resolveConfig(
      { database: 'sqlite:minke.db', mqtt },
      { projectDir: dir, configFile: join(dir, 'minke.config.ts') },
      {},
    );
    return openProject(config, { migrate: true });
  };
  const sharedGroup = `minke-${randomUUID().slice(0, 8)}`;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'minke-shared-gateways-'));
    const topicPrefix = `test-${randomUUID().slice(0, 8)}/minke/v1`;
    project = await open({ url: MOSQUITTO_URL, topicPrefix, sharedGroup });
  });
  afterEach(async () => {
    await agentSide?.endAsync(true);
    await Promise.all(services.splice(0).map((started) => started.close()));
    await project.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('stores each of N results once, split between the gateways', async () => {
    const { topicPrefix } = project.config.mqtt;
    const topics = createTopics(topicPrefix);
    // Two servers' agent services, as two `minke serve` with the same settings would start them.
    for (let i = 0; i < 2; i++)
      services.push(await startAgentServices(project, { gateway: { pollIntervalMs: 100 } }));
    const gateways = services.map((started) => started.gateway);
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
        // A PUBACK still due when the test closes the client fails that promise; what counts is
        // below (every target answered).
        client
          .publishAsync(topics.result(node), encodeMessage(result), { qos: 1 })
          .catch(() => undefined);
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

  it('refuses a shared group with the embedded broker, or one that is not a topic level', async () => {
    await project.close();
    project = await open({ port: 0, sharedGroup });
    await expect(startAgentServices(project)).rejects.toThrow(
      `mqtt.sharedGroup / MINKE_MQTT_SHARED_GROUP "${sharedGroup}": needs an external broker (mqtt.url)`,
    );
    await project.close();
    project = await open({ url: MOSQUITTO_URL, sharedGroup: 'a/b' });
    await expect(startAgentServices(project)).rejects.toThrow('one topic level, without /, + or #');
  });
});
