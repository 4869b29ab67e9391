import {
  createAck,
  createRequest,
  createTopics,
  decodePresence,
  decodeResult,
  generateSigningKeyPair,
  parsePrivateKey,
  parsePublicKey,
  signRequest,
  type Presence,
  type Request,
  type Result,
  type SignedRequest,
  type Target,
  type TopicSet,
} from '@minke/protocol';
import type { KeyObject } from 'node:crypto';
import mqtt, { type MqttClient } from 'mqtt';

export interface FakeServerOptions {
  /** Acknowledge every result it receives. Default true. */
  ack?: boolean;
  /** Subscribe to results and presence. Default true; false makes a publish-only "server". */
  listen?: boolean;
  keys?: ServerKeys;
}

export interface ServerKeys {
  privateKey: KeyObject;
  publicKey: KeyObject;
  publicKeyBase64: string;
}

export function serverKeys(): ServerKeys {
  const pair = generateSigningKeyPair();
  const privateKey = parsePrivateKey(pair.privateKeyPem);
  const publicKey = parsePublicKey(pair.publicKeyBase64);
  if (!privateKey.ok || !publicKey.ok) throw new Error('cannot read the generated keys');
  return {
    privateKey: privateKey.value,
    publicKey: publicKey.value,
    publicKeyBase64: pair.publicKeyBase64,
  };
}

/**
 * The server side of the protocol as a test needs it: signs and publishes requests, collects
 * results and presence, and acknowledges results.
 */
export class FakeServer {
  readonly results: Result[] = [];
  readonly presences: Presence[] = [];
  readonly acked: string[] = [];
  readonly topics: TopicSet;

  private constructor(
    private readonly client: MqttClient,
    readonly keys: ServerKeys,
    prefix: string,
    private readonly options: FakeServerOptions,
  ) {
    this.topics = createTopics(prefix);
  }

  static async connect(
    url: string,
    prefix: string,
    options: FakeServerOptions = {},
  ): Promise<FakeServer> {
    const client = await mqtt.connectAsync(url, { reconnectPeriod: 0, connectTimeout: 5000 });
    const server = new FakeServer(client, options.keys ?? serverKeys(), prefix, options);
    client.on('message', (topic, payload) => server.onMessage(topic, payload));
    if (options.listen !== false) {
      await client.subscribeAsync([server.topics.resultAny, server.topics.presenceAny], { qos: 1 });
    }
    return server;
  }

  /** Signs and publishes a request; returns it. */
  async request(
    plugin: string,
    target: Target,
    change: Partial<Request> = {},
  ): Promise<SignedRequest> {
    const signed = signRequest(
      { ...createRequest({ plugin, target }), ...change },
      this.keys.privateKey,
    );
    await this.publish(target, JSON.stringify(signed));
    return signed;
  }

  /** Publishes any payload on the request topic of `target`. */
  async publish(target: Target, payload: string): Promise<void> {
    const topic = 'all' in target ? this.topics.requestAll : this.topics.requestNode(target.node);
    await this.client.publishAsync(topic, payload, { qos: 1 });
  }

  resultsFor(requestId: string): Result[] {
    return this.results.filter((result) => result.requestId === requestId);
  }

  async close(): Promise<void> {
    await this.client.endAsync(true);
  }

  private onMessage(topic: string, payload: Buffer): void {
    const parsed = this.topics.parse(topic);
    if (parsed?.kind === 'presence' && payload.length > 0) {
      const presence = decodePresence(payload);
      if (presence.ok) this.presences.push(presence.value);
    }
    if (parsed?.kind !== 'result') return;
    const result = decodeResult(payload);
    if (!result.ok) throw new Error(`the agent sent an invalid result: ${result.reason}`);
    this.results.push(result.value);
    if (this.options.ack === false) return;
    this.acked.push(result.value.id);
    // An ack still in flight when the test closes this server is dropped with the connection
    // (mqtt rejects it, "Connection closed"), as a server's would be; the agent sends again.
    this.client
      .publishAsync(
        this.topics.ack(parsed.node),
        JSON.stringify(createAck({ resultIds: [result.value.id] })),
        { qos: 1 },
      )
      .catch(() => undefined);
  }
}

/** Polls `check` every 20 ms until it is true; fails after `timeoutMs`. */
export async function waitFor(
  what: string,
  check: () => boolean,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(20);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
