import { createTopics } from '@minke/protocol';
import mqtt, { type MqttClient } from 'mqtt';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../logger.js';
import { startEmbeddedBroker, type EmbeddedBroker } from './embedded-broker.js';

const topics = createTopics('minke/retained-test');

/**
 * Retained messages through the embedded broker, which looks exact topics up in its own index
 * (retained-index.ts): what a subscriber gets must be what MQTT says, whichever way it is found.
 */
describe('retained messages on the embedded broker', { timeout: 30_000 }, () => {
  let broker: EmbeddedBroker;
  const clients: MqttClient[] = [];

  beforeEach(async () => {
    broker = await startEmbeddedBroker({
      port: 0,
      topicPrefix: topics.prefix,
      serverUsername: 'server',
      authenticateAgent: (_node, password) => Promise.resolve(password === 'agent-secret'),
      logger: silentLogger,
    });
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.endAsync(true)));
    await broker.close();
  });

  const connect = async (as: 'server' | 'web1') => {
    const { username, password } =
      as === 'server' ? broker.serverCredentials : { username: 'web1', password: 'agent-secret' };
    const clientId = as === 'server' ? `test-${clients.length}` : 'minke-agent-web1';
    const client = await mqtt.connectAsync(broker.url, { clientId, username, password });
    clients.push(client);
    return client;
  };

  /** The retained messages a new subscription to `filter` receives, by topic. */
  const retainedFor = async (filter: string): Promise<Record<string, string>> => {
    const client = await connect('server');
    const got: Record<string, string> = {};
    client.on('message', (topic, payload, packet) => {
      if (packet.retain) got[topic] = payload.toString();
    });
    await client.subscribeAsync(filter, { qos: 1 });
    // A marker published after subscribing arrives after any retained message.
    const marker = `${topics.prefix}/marker/${clients.length}`;
    const arrived = new Promise<void>((resolve) =>
      client.on('message', (topic) => topic === marker && resolve()),
    );
    await client.subscribeAsync(marker, { qos: 1 });
    await client.publishAsync(marker, 'end', { qos: 1 });
    await arrived;
    return got;
  };

  it('gives an exact subscription its retained message, and a wildcard every one', async () => {
    const server = await connect('server');
    await server.publishAsync(topics.presence('web1'), 'web1 online', { qos: 1, retain: true });
    await server.publishAsync(topics.presence('web2'), 'web2 online', { qos: 1, retain: true });
    await server.publishAsync(topics.presence('web2'), 'web2 again', { qos: 1, retain: true });

    expect(await retainedFor(topics.presence('web2'))).toEqual({
      [topics.presence('web2')]: 'web2 again',
    });
    expect(await retainedFor(topics.presence('nobody'))).toEqual({});
    expect(await retainedFor(topics.presenceAny)).toEqual({
      [topics.presence('web1')]: 'web1 online',
      [topics.presence('web2')]: 'web2 again',
    });
  });

  it('forgets a retained message cleared with an empty payload', async () => {
    const server = await connect('server');
    await server.publishAsync(topics.presence('web1'), 'web1 online', { qos: 1, retain: true });
    await server.publishAsync(topics.presence('web1'), '', { qos: 1, retain: true });
    expect(await retainedFor(topics.presence('web1'))).toEqual({});
    expect(await retainedFor(topics.presenceAny)).toEqual({});
  });

  it('gives an agent the retained broadcast when it subscribes', async () => {
    const server = await connect('server');
    await server.publishAsync(topics.requestAll, 'signed request', { qos: 1, retain: true });
    const agent = await connect('web1');
    const got = new Promise<string>((resolve) =>
      agent.on(
        'message',
        (topic, payload) => topic === topics.requestAll && resolve(payload.toString()),
      ),
    );
    await agent.subscribeAsync([topics.requestAll, topics.ack('web1')], { qos: 1 });
    expect(await got).toBe('signed request');
  });
});
