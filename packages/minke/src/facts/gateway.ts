import { randomUUID } from 'node:crypto';
import { setImmediate as setImmediatePromise } from 'node:timers/promises';
import {
  createAck,
  createTopics,
  decodePresence,
  decodeResult,
  encodeMessage,
  type Presence,
  type RefusedResult,
  type Result,
  type TopicSet,
} from '@minke/protocol';
import type { IClientOptions } from 'mqtt';
import type { Logger } from '../logger.js';
import type { Project } from '../operations/project.js';
import { AgentStore } from './agent-store.js';
import { countRefusedResult } from '../metrics/process-metrics.js';
import { FactStore, type ResultRefusal, type StoreOutcome } from './fact-store.js';
import { connectGatewayMqtt, type GatewayMqttClient } from './mqtt-client.js';
import { ReconnectBackoff } from './reconnect-backoff.js';
import { RequestStore, type Outgoing } from './request-store.js';
import { ResultLimits, type ResultLimitSettings } from './result-limits.js';
import { settlesWithin } from '../util/settles-within.js';

export interface AgentGatewayOptions {
  project: Project;
  brokerUrl: string;
  username?: string | undefined;
  password?: string | undefined;
  topicPrefix: string;
  logger: Logger;
  /** Default `minke-server-<random>`. */
  clientId?: string;
  /** How often the ledger is read for new requests (made by other processes). Default 500 ms. */
  pollIntervalMs?: number;
  /** How often expired requests are closed. Default 30 s. */
  expireIntervalMs?: number;
  /** Results stored per transaction, at most. Default 500. */
  maxBatch?: number;
  /** Messages waiting to be stored, at most; more are dropped (agents send them again). */
  maxQueue?: number;
  /** Per-node result quota; default from the project's `agents.maxResult*` settings. */
  limits?: ResultLimitSettings;
  /** Reconnect delays to the broker (first, cap), doubled with jitter. Default 1 s to 30 s. */
  reconnect?: { minMs: number; maxMs: number };
  /** Replaceable for tests. */
  connect?: (url: string, options: IClientOptions) => Promise<GatewayMqttClient>;
  /**
   * Several gateways on one external broker: each joins this MQTT 5 shared-subscription group
   * (`$share/<group>/…`), so the broker hands each result and presence to one of them only.
   * Needs a broker with shared subscriptions (Mosquitto 1.6 or later, EMQX); not the embedded one.
   */
  sharedGroup?: string;
}

/** What the gateway has done since it started. */
export interface GatewayStats {
  received: number;
  stored: number;
  unchanged: number;
  duplicates: number;
  failed: number;
  /** Results not stored: too large, too frequent, or not an answer the node was asked for. */
  refused: number;
  dropped: number;
  presences: number;
  published: number;
}

type Incoming = { kind: 'result' | 'presence'; node: string; topic: string; payload: Buffer };

/**
 * The server's side of the agent protocol: one MQTT client that
 *
 * - stores every result on `res/+` (idempotently, in batches) and acknowledges it on `ack/<node>`;
 * - records every presence on `presence/+` and, when a node comes online, publishes again what it
 *   has not answered yet (requests for offline nodes wait in the ledger, not in the broker);
 * - publishes new requests from the ledger (made in this process: `kick()`; in another: polled);
 * - closes expired requests.
 *
 * A message that does not decode, or that speaks for another node than its topic, is logged and
 * dropped; nothing a message contains can stop the gateway.
 */
export class AgentGateway {
  readonly agents: AgentStore;
  readonly facts: FactStore;
  readonly ledger: RequestStore;
  readonly stats: GatewayStats = {
    received: 0,
    stored: 0,
    unchanged: 0,
    duplicates: 0,
    failed: 0,
    refused: 0,
    dropped: 0,
    presences: 0,
    published: 0,
  };
  private readonly topics: TopicSet;
  private readonly logger: Logger;
  private readonly queue: Incoming[] = [];
  private readonly limits: ResultLimits;
  private readonly floodLog = new OncePerInterval(60_000);
  private readonly backoff: ReconnectBackoff;
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly storedListeners = new Set<
    (results: Result[], outcomes: StoreOutcome[]) => void
  >();
  private client: GatewayMqttClient | undefined;
  private draining: Promise<void> | undefined;
  private pumping: Promise<void> | undefined;
  private pumpAgain = false;
  private closing = false;
  private reconnectTimer: NodeJS.Timeout | undefined;
  /** Whether the broker was reached since the last disconnect: state changes are logged once. */
  private brokerState: 'connecting' | 'up' | 'down' = 'connecting';
  private lastBrokerError: string | undefined;
  private readyResolve: () => void = () => undefined;
  /** Resolves once connected and subscribed for the first time. */
  readonly ready: Promise<void>;

  private constructor(private readonly options: AgentGatewayOptions) {
    this.logger = options.logger;
    this.topics = createTopics(options.topicPrefix);
    this.agents = new AgentStore(options.project, this.logger);
    this.facts = new FactStore(options.project.database, this.agents, this.logger);
    this.ledger = new RequestStore(options.project.database);
    const { maxResultBytes, maxResultsPerMinute } = options.project.config.agents;
    this.limits = new ResultLimits(options.limits ?? { maxResultBytes, maxResultsPerMinute });
    this.backoff = new ReconnectBackoff(options.reconnect ?? { minMs: 1000, maxMs: 30_000 });
    this.ready = new Promise((resolve) => (this.readyResolve = resolve));
  }

  /** Starts the gateway; connecting goes on in the background (see `ready`). */
  static async start(options: AgentGatewayOptions): Promise<AgentGateway> {
    const gateway = new AgentGateway(options);
    await gateway.agents.markAllOffline();
    await gateway.ledger.expire();
    await gateway.connect();
    return gateway;
  }

  /** Whether the MQTT client is connected to the broker now (for `/readyz`). */
  get connected(): boolean {
    return this.client?.connected ?? false;
  }

  /** Publishes new requests now rather than at the next poll. */
  kick(): void {
    void this.pump();
  }

  /** Called after each stored batch (tests, the API's live updates). Returns an unsubscribe. */
  onStored(listener: (results: Result[], outcomes: StoreOutcome[]) => void): () => void {
    this.storedListeners.add(listener);
    return () => this.storedListeners.delete(listener);
  }

  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    for (const timer of this.timers) clearInterval(timer);
    clearTimeout(this.reconnectTimer);
    await settleWithin([this.draining, this.pumping], 5000);
    await settleWithin([this.client?.endAsync(false)], 3000);
    if (this.client?.connected) await this.client.endAsync(true).catch(() => undefined);
  }

  private async connect(): Promise<void> {
    const { options } = this;
    const mqttOptions: IClientOptions = {
      clientId: options.clientId ?? `minke-server-${randomUUID().slice(0, 8)}`,
      clean: true,
      // Shared subscriptions are MQTT 5; everything else speaks 3.1.1 as the agents do.
      protocolVersion: options.sharedGroup === undefined ? 4 : 5,
      reconnectPeriod: 0, // the gateway reconnects itself, with back-off (onClose)
      connectTimeout: 10_000,
      resubscribe: false, // subscribed again on every connect, below
    };
    if (options.username !== undefined) mqttOptions.username = options.username;
    if (options.password !== undefined) mqttOptions.password = options.password;
    const client = await (options.connect ?? connectGatewayMqtt)(options.brokerUrl, mqttOptions);
    this.client = client;
    client.on('message', (topic, payload) => this.onMessage(topic, payload));
    client.on('connect', () => {
      this.backoff.reset();
      this.brokerState = 'up';
      this.lastBrokerError = undefined;
      void this.onConnect();
    });
    client.on('close', () => this.onClose());
    client.on('error', (error) => {
      // The same error at every attempt (ECONNREFUSED while the broker is down) is logged once.
      if (error.message === this.lastBrokerError) return;
      this.lastBrokerError = error.message;
      this.logger.warn({ err: error }, 'gateway: MQTT error');
    });
    this.timers.push(
      setInterval(() => void this.pump(), options.pollIntervalMs ?? 500),
      setInterval(() => void this.expire(), options.expireIntervalMs ?? 30_000),
    );
  }

  /**
   * The connection closed or an attempt failed: try again after a growing, jittered delay (1 s
   * doubling to 30 s by default), so a broker that is down is not hammered every second; the
   * change of state is logged once, each attempt only at debug level.
   */
  private onClose(): void {
    if (this.closing || this.reconnectTimer !== undefined) return;
    if (this.brokerState !== 'down') {
      this.logger.warn(
        { broker: this.options.brokerUrl },
        this.brokerState === 'up'
          ? 'gateway: disconnected from the broker; reconnecting with back-off'
          : 'gateway: cannot reach the broker; retrying with back-off',
      );
      this.brokerState = 'down';
    }
    const delay = this.backoff.next();
    this.logger.debug({ inMs: delay, attempt: this.backoff.attempts }, 'gateway: reconnecting');
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      if (!this.closing) this.client?.reconnect();
    }, delay);
  }

  private async onConnect(): Promise<void> {
    const client = this.client;
    if (!client || this.closing) return;
    try {
      const group = this.options.sharedGroup;
      const filters = [this.topics.resultAny, this.topics.presenceAny].map((filter) =>
        group === undefined ? filter : `$share/${group}/${filter}`,
      );
      const granted = await client.subscribeAsync(filters, { qos: 1 });
      if (refusedSubscription(granted)) {
        // Never fall back to a plain subscription: every gateway would then store everything.
        this.logger.error(
          { broker: this.options.brokerUrl, filters },
          'gateway: the broker refused the subscription (shared subscriptions need MQTT 5: Mosquitto 1.6 or later, EMQX)',
        );
        return;
      }
      this.logger.info({ broker: this.options.brokerUrl }, 'gateway: connected and subscribed');
      this.readyResolve();
      await this.pump();
    } catch (error) {
      this.logger.warn({ err: error }, 'gateway: cannot subscribe');
    }
  }

  private onMessage(topic: string, payload: Buffer): void {
    this.stats.received++;
    const parsed = this.topics.parse(topic);
    if (parsed?.kind !== 'result' && parsed?.kind !== 'presence') {
      this.drop(topic, 'not a result or presence topic');
      return;
    }
    if (this.queue.length >= (this.options.maxQueue ?? 100_000)) {
      this.drop(topic, 'too many messages waiting to be stored; the agent will send it again');
      return;
    }
    this.queue.push({ kind: parsed.kind, node: parsed.node, topic, payload });
    this.scheduleDrain();
  }

  private scheduleDrain(): void {
    if (this.draining) return;
    this.draining = this.drain().finally(() => {
      this.draining = undefined;
      if (this.queue.length > 0 && !this.closing) this.scheduleDrain();
    });
  }

  private async drain(): Promise<void> {
    const maxBatch = this.options.maxBatch ?? 500;
    // Bounded: each round takes at least one message off the queue. Messages of one kind that
    // arrived together are handled together: results in one transaction, presences in another.
    while (this.queue.length > 0 && !this.closing) {
      // What the sockets have read meanwhile joins the batch: with SQLite every query resolves
      // at once, so without this turn of the event loop batches stay as small as they began.
      await setImmediatePromise();
      const kind = (this.queue[0] as Incoming).kind;
      let count = 0;
      while (count < this.queue.length && count < maxBatch && this.queue[count]?.kind === kind)
        count++;
      const batch = this.queue.splice(0, count);
      await this.guard(() => (kind === 'result' ? this.onResults(batch) : this.onPresences(batch)));
    }
  }

  private async onResults(batch: Incoming[]): Promise<void> {
    const results: Result[] = [];
    const refusals: ResultRefusal[] = [];
    const seen = new Set<string>();
    for (const item of batch) {
      const decoded = decodeResult(item.payload);
      if (!decoded.ok) {
        this.drop(item.topic, `malformed result: ${decoded.reason}`);
        continue;
      }
      if (decoded.value.node !== item.node) {
        this.drop(
          item.topic,
          `unauthorized: a result for node ${decoded.value.node} on the topic of ${item.node}`,
        );
        continue;
      }
      if (seen.has(decoded.value.id)) continue;
      seen.add(decoded.value.id);
      const refused = this.limits.check(item.node, item.payload.length);
      if (refused) refusals.push({ resultId: decoded.value.id, node: item.node, ...refused });
      else results.push(decoded.value);
    }
    const stored =
      results.length === 0
        ? { outcomes: [], requestIds: [], refusals: [] }
        : await this.facts.storeResults(results);
    stored.outcomes.forEach((outcome) => {
      if (outcome === 'refused') return; // counted with the gateway's own refusals, below
      const key =
        outcome === 'duplicate' ? 'duplicates' : outcome === 'stale' ? 'unchanged' : outcome;
      this.stats[key]++;
    });
    refusals.push(...stored.refusals);
    await this.refuse(refusals);
    const refusedIds = new Set(refusals.map((refusal) => refusal.resultId));
    this.acknowledge(
      results.filter((result) => !refusedIds.has(result.id)),
      refusals,
    );
    await this.ledger.closeFinished(stored.requestIds);
    if (results.length > 0) {
      for (const listener of this.storedListeners) listener(results, stored.outcomes);
    }
  }

  /**
   * Refused results are logged (what and why, never their content), counted in `/metrics`, kept
   * as the node's last refusal for the agents page, and acknowledged with the reason, so the
   * agent logs it and drops them instead of sending them again.
   */
  private async refuse(refusals: readonly ResultRefusal[]): Promise<void> {
    if (refusals.length === 0) return;
    this.stats.refused += refusals.length;
    for (const refusal of refusals) {
      countRefusedResult(refusal.code);
      // A flooding node is told about every result, but logged about once a minute.
      if (refusal.code === 'rate-limited' && !this.floodLog.shouldLog(refusal.node)) continue;
      this.logger.warn(
        { node: refusal.node, resultId: refusal.resultId, reason: refusal.code },
        `gateway: result refused: ${refusal.message}`,
      );
    }
    await this.agents.recordRefusals(refusals);
  }

  /** One acknowledgement per node (at most 1000 ids each); a lost one only means a resend. */
  private acknowledge(results: readonly Result[], refusals: readonly ResultRefusal[]): void {
    const byNode = new Map<string, { resultIds: string[]; refused: RefusedResult[] }>();
    const of = (node: string) => {
      const entry = byNode.get(node) ?? { resultIds: [], refused: [] };
      byNode.set(node, entry);
      return entry;
    };
    for (const result of results) of(result.node).resultIds.push(result.id);
    for (const refusal of refusals)
      of(refusal.node).refused.push({ resultId: refusal.resultId, reason: refusal.message });
    for (const [node, { resultIds, refused }] of byNode) {
      // Refused ids travel in `resultIds` too: together at most 1000 per message.
      const ids: { id: string; r?: RefusedResult }[] = [
        ...resultIds.map((id) => ({ id })),
        ...refused.map((r) => ({ id: r.resultId, r })),
      ];
      for (let i = 0; i < ids.length; i += 1000) {
        const chunk = ids.slice(i, i + 1000);
        const ack = createAck({
          resultIds: chunk.filter((entry) => !entry.r).map((entry) => entry.id),
          refused: chunk.flatMap((entry) => (entry.r ? [entry.r] : [])),
        });
        this.client
          ?.publishAsync(this.topics.ack(node), encodeMessage(ack), { qos: 1 })
          .catch((error: Error) =>
            this.logger.debug({ node, err: error }, 'gateway: acknowledgement not sent'),
          );
      }
    }
  }

  /**
   * Records the presences of a batch in one commit, then publishes again, in one query, what the
   * nodes that came online have not answered yet.
   */
  private async onPresences(batch: Incoming[]): Promise<void> {
    const presences: Presence[] = [];
    for (const item of batch) {
      if (item.payload.length === 0) continue; // a retained presence being cleared
      const decoded = decodePresence(item.payload);
      if (!decoded.ok) {
        this.drop(item.topic, `malformed presence: ${decoded.reason}`);
        continue;
      }
      const presence = decoded.value;
      if (presence.node !== item.node) {
        this.drop(
          item.topic,
          `unauthorized: a presence for node ${presence.node} on the topic of ${item.node}`,
        );
        continue;
      }
      presences.push(presence);
      // Debug, not info: after a restart the whole fleet says it is online at once (a line each).
      this.logger.debug({ node: presence.node, online: presence.online }, 'gateway: presence');
    }
    if (presences.length === 0) return;
    this.stats.presences += presences.length;
    await this.agents.recordPresences(presences);
    // A node whose last word in the batch is "online" gets what it has not answered.
    const last = new Map(presences.map((presence) => [presence.node, presence.online]));
    const online = [...last].flatMap(([node, isOnline]) => (isOnline ? [node] : []));
    if (online.length > 0) await this.publish(await this.ledger.openForNodes(online));
  }

  /** Publishes what the ledger has that is new; one pump at a time, again if kicked meanwhile. */
  private pump(): Promise<void> {
    if (this.pumping) {
      this.pumpAgain = true;
      return this.pumping;
    }
    this.pumping = (async () => {
      // Bounded: a kick during a round asks for one more round, and rounds stop when closing.
      for (let round = 0; round < 100 && !this.closing; round++) {
        this.pumpAgain = false;
        if (!this.client?.connected) return;
        await this.guard(async () => this.publish(await this.ledger.unpublished()));
        if (!this.pumpAgain) return;
      }
    })().finally(() => {
      this.pumping = undefined;
      if (this.pumpAgain && !this.closing) void this.pump();
    });
    return this.pumping;
  }

  private async publish(outgoing: readonly Outgoing[]): Promise<void> {
    const client = this.client;
    if (!client?.connected || outgoing.length === 0) return;
    for (let i = 0; i < outgoing.length; i += 200) {
      const chunk = outgoing.slice(i, i + 200);
      const sent = await Promise.all(
        chunk.map((message) =>
          client
            .publishAsync(
              message.node === undefined
                ? this.topics.requestAll
                : this.topics.requestNode(message.node),
              message.payload,
              { qos: 1 },
            )
            .then(
              () => message,
              (error: Error) => {
                this.logger.warn(
                  { requestId: message.requestId, node: message.node, err: error },
                  'gateway: request not published; will try again',
                );
                return undefined;
              },
            ),
        ),
      );
      const published = sent.filter((message): message is Outgoing => message !== undefined);
      await this.ledger.markPublished(published);
      this.stats.published += published.length;
    }
  }

  private async expire(): Promise<void> {
    await this.guard(async () => {
      const expired = await this.ledger.expire();
      if (expired > 0) this.logger.info({ targets: expired }, 'gateway: requests expired');
    });
  }

  private drop(topic: string, reason: string): void {
    this.stats.dropped++;
    this.logger.warn({ topic, reason }, 'gateway: message dropped');
  }

  /** Runs a step; a failure (the database away, a bug) is logged, never thrown. */
  private async guard(step: () => Promise<void>): Promise<void> {
    try {
      await step();
    } catch (error) {
      this.logger.error({ err: error }, 'gateway: step failed');
    }
  }
}

/** Says yes for a key at most once per interval (bounded: forgets everything past 10,000 keys). */
class OncePerInterval {
  private readonly last = new Map<string, number>();
  constructor(private readonly intervalMs: number) {}

  shouldLog(key: string, now = Date.now()): boolean {
    const at = this.last.get(key);
    if (at !== undefined && now - at < this.intervalMs) return false;
    if (this.last.size >= 10_000) this.last.clear();
    this.last.set(key, now);
    return true;
  }
}

/** Waits for the steps given (settled either way), or `ms` at the most. */
async function settleWithin(promises: (Promise<unknown> | undefined)[], ms: number): Promise<void> {
  const given = promises.filter((p): p is Promise<unknown> => p !== undefined);
  await settlesWithin(Promise.allSettled(given), ms);
}

/** True when a SUBACK refused a filter (return code 128, or an MQTT 5 reason code of 0x80 up). */
function refusedSubscription(granted: unknown): boolean {
  if (!Array.isArray(granted)) return false;
  return (granted as { qos?: number }[]).some((grant) => (grant.qos ?? 0) >= 0x80);
}
