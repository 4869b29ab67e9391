// One process of simulated agents for `npm run bench -- agents` (see agents.ts): each agent is a
// real MQTT connection reduced to the protocol (subscribe, say it is online, verify each request,
// answer at once, count the acknowledgements). Agents reconnect on their own, as real agents do
// (a period with jitter), so restarting the server makes the whole fleet come back at once.
import { randomUUID, type KeyObject } from 'node:crypto';
import {
  acceptRequest,
  createTopics,
  decodeAck,
  encodeMessage,
  parsePublicKey,
  PROTOCOL_VERSION,
  ReplayGuard,
  type Result,
} from '@minke/protocol';
import mqtt, { type MqttClient } from 'mqtt';

export type ToWorker =
  | {
      type: 'start';
      brokerUrl: string;
      publicKey: string;
      credentials: [string, string][];
      /** Connection attempts in flight at once in this process (a real fleet is not in step). */
      concurrency: number;
      /** The server's topic prefix; default Minke's. */
      topicPrefix?: string;
      /** Client ids are this and the node; default `minke-agent-` (the embedded broker's rule). */
      clientIdPrefix?: string;
    }
  | { type: 'stats' }
  | { type: 'stop' };

export type FromWorker =
  | { type: 'loaded' }
  | { type: 'all-connected'; at: number }
  | { type: 'stats'; answered: number; acked: number; connected: number; rssMb: number }
  | { type: 'error'; message: string };

let topics = createTopics();
let clientIdPrefix = 'minke-agent-';
const send = (message: FromWorker) => process.send?.(message);
const clients: MqttClient[] = [];
const connected = new Set<string>();
let total = 0;
let answered = 0;
let acked = 0;

process.on('message', (message: ToWorker) => {
  void handle(message).catch((error: Error) => send({ type: 'error', message: error.message }));
});
send({ type: 'loaded' });

async function handle(message: ToWorker): Promise<void> {
  if (message.type === 'start') {
    const key = parsePublicKey(message.publicKey);
    if (!key.ok) throw new Error(key.reason);
    total = message.credentials.length;
    topics = createTopics(message.topicPrefix);
    clientIdPrefix = message.clientIdPrefix ?? clientIdPrefix;
    const { concurrency } = message;
    for (let i = 0; i < message.credentials.length; i += concurrency) {
      const batch = message.credentials.slice(i, i + concurrency);
      await Promise.all(
        batch.map(([node, password]) => startAgent(message.brokerUrl, node, password, key.value)),
      );
    }
  } else if (message.type === 'stats') {
    const rssMb = Math.round(process.memoryUsage().rss / 1024 / 1024);
    send({ type: 'stats', answered, acked, connected: connected.size, rssMb });
  } else {
    await Promise.all(clients.map((client) => client.endAsync(true).catch(() => undefined)));
    process.exit(0);
  }
}

/** Resolves after the first connection (or its failure); reconnects by itself from then on. */
function startAgent(url: string, node: string, password: string, key: KeyObject): Promise<void> {
  const client = mqtt.connect(url, {
    clientId: `${clientIdPrefix}${node}`,
    username: node,
    password,
    clean: true,
    keepalive: 120,
    resubscribe: false, // subscribed again on every connect, below
    reconnectPeriod: 500 + Math.floor(Math.random() * 1000),
    connectTimeout: 30_000,
  });
  clients.push(client);
  const guard = new ReplayGuard();
  client.on('message', (topic, payload) => onMessage(client, node, key, guard, topic, payload));
  client.on('close', () => connected.delete(node));
  client.on('error', () => undefined); // refused or reset: the reconnect timer tries again
  return new Promise((resolve) => {
    client.once('error', () => resolve());
    client.on('connect', () => {
      void online(client, node)
        .then(() => {
          connected.add(node);
          if (connected.size === total) send({ type: 'all-connected', at: Date.now() });
        })
        .catch(() => undefined)
        .finally(resolve);
    });
  });
}

async function online(client: MqttClient, node: string): Promise<void> {
  await client.subscribeAsync([topics.requestAll, topics.requestNode(node), topics.ack(node)], {
    qos: 1,
  });
  await client.publishAsync(
    topics.presence(node),
    encodeMessage({
      v: PROTOCOL_VERSION,
      node,
      online: true,
      agentVersion: 'bench',
      plugins: [{ name: 'facts', description: '', format: 'json' }],
      rejected: [],
      at: new Date().toISOString(),
    }),
    { qos: 1, retain: true },
  );
}

function onMessage(
  client: MqttClient,
  node: string,
  publicKey: KeyObject,
  guard: ReplayGuard,
  topic: string,
  payload: Buffer,
): void {
  if (topic === topics.ack(node)) {
    const ack = decodeAck(payload);
    if (ack.ok) acked += ack.value.resultIds.length;
    return;
  }
  const outcome = acceptRequest(payload, { node, publicKeys: publicKey, guard });
  if (!outcome.ok) return;
  const now = new Date().toISOString();
  const result: Result = {
    v: PROTOCOL_VERSION,
    id: randomUUID(),
    requestId: outcome.request.id,
    node,
    plugin: outcome.request.plugin,
    ok: true,
    format: 'json',
    value: { node, kernel: '6.1.0', cpus: 4, memoryMb: 8192 },
    startedAt: now,
    finishedAt: now,
    durationMs: 0,
    exitCode: 0,
  };
  answered++;
  void client.publishAsync(topics.result(node), encodeMessage(result), { qos: 1 });
}
