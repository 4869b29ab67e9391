import {
  acceptRequest,
  createTopics,
  decodeAck,
  encodeMessage,
  PROTOCOL_VERSION,
  ReplayGuard,
  type Presence,
  type Request,
  type Result,
  type TopicSet,
} from '@minke/protocol';
import type { IClientOptions, IConnackPacket, IPublishPacket } from 'mqtt';
import type { AgentSettings } from './config.js';
import { silentLogger, type Logger } from './logger.js';
import {
  brokerTlsOptions,
  connectMqtt,
  reconnectDelay,
  type ConnectMqtt,
  type MqttClientLike,
} from './mqtt-client.js';
import { executePlugin, notAuthorizedResult } from './plugins/execute-plugin.js';
import { pluginInfo, type Plugin, type PluginSet } from './plugins/plugin.js';
import { Spool } from './spool.js';
import { AGENT_VERSION } from './version.js';

/** The settings the agent itself uses (the CLI resolves the rest). */
export type AgentConfig = Pick<
  AgentSettings,
  | 'node'
  | 'username'
  | 'password'
  | 'serverKeys'
  | 'spoolDir'
  | 'topicPrefix'
  | 'clientId'
  | 'caFile'
  | 'mqttVersion'
  | 'keepaliveSeconds'
  | 'reconnectMinSeconds'
  | 'reconnectMaxSeconds'
  | 'resendIntervalSeconds'
  | 'sessionExpirySeconds'
  | 'maxSpoolResults'
  | 'concurrency'
  | 'clockSkewSeconds'
  | 'maxRequestTtlSeconds'
> &
  Partial<Pick<AgentSettings, 'brokerCa' | 'brokerFingerprint' | 'brokerFingerprintSource'>> & {
    brokerUrl: string;
  };

export interface AgentOptions {
  config: AgentConfig;
  plugins: PluginSet;
  logger?: Logger;
  /** Replaceable for tests (to cut the connection). */
  connect?: ConnectMqtt;
  /** Answer one new request, then report `finished`. */
  oneshot?: boolean;
  /** With `oneshot`: how long to wait for the server to acknowledge the answer. Default 5 s. */
  oneshotAckWaitMs?: number;
}

/**
 * minke-agent's engine. It keeps one MQTT connection (MQTT 3.1.1 or 5, persistent session with a
 * fixed client id, so QoS 1 requests published while it was away are delivered when it returns),
 * and for every request on `req/all` or `req/node/<node>`:
 *
 * 1. verifies it (signature, target, expiry, replay) and drops it with a log line if it fails;
 * 2. writes it to the spool as a job, then lets the broker have its PUBACK;
 * 3. runs the plugin (or answers "not authorized on this node"), writes the result to the spool,
 *    and publishes it on `res/<node>`;
 * 4. forgets the result when the server acknowledges it on `ack/<node>`; until then it is sent
 *    again after every reconnect and every `resendIntervalSeconds`.
 *
 * Presence is retained on `presence/<node>`, with an offline copy as last will. Plugins with an
 * `interval` also run on their own. Reconnects use exponential back-off with jitter.
 *
 * @example
 *   const agent = new Agent({ config, plugins: await loadPlugins(dir), logger });
 *   await agent.start();
 *   process.once('SIGTERM', () => void agent.stop());
 */
export class Agent {
  private readonly config: AgentConfig;
  private readonly logger: Logger;
  private readonly topics: TopicSet;
  private readonly plugins: Map<string, Plugin>;
  private readonly abort = new AbortController();
  private readonly queue: Request[] = [];
  private readonly lastSent = new Map<string, number>();
  private readonly runningIntervals = new Set<string>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly inFlight = new Set<Promise<void>>();
  private spoolRef: Spool | undefined;
  private client: MqttClientLike | undefined;
  private guard = new ReplayGuard();
  private guardDirty = false;
  private running = 0;
  private reconnectAttempt = 0;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private connectedAt: number | undefined;
  private stopping = false;
  private oneshotRequestId: string | undefined;
  private oneshotResultId: string | undefined;
  private readonly readySignal = deferred();
  private readonly finishedSignal = deferred();

  constructor(private readonly options: AgentOptions) {
    this.config = options.config;
    this.logger = options.logger ?? silentLogger;
    this.topics = createTopics(this.config.topicPrefix);
    this.plugins = new Map(options.plugins.plugins.map((plugin) => [plugin.name, plugin]));
  }

  /** Resolves once the agent is connected and subscribed for the first time. */
  get ready(): Promise<void> {
    return this.readySignal.promise;
  }

  /** With `oneshot`: resolves when the one request is answered (and acknowledged, or waited for). */
  get finished(): Promise<void> {
    return this.finishedSignal.promise;
  }

  get spool(): Spool {
    if (!this.spoolRef) throw new Error('the agent has not started');
    return this.spoolRef;
  }

  /** Opens the spool, resumes what it holds and starts connecting; does not wait for the broker. */
  async start(): Promise<void> {
    this.spoolRef = await Spool.open(this.config.spoolDir, {
      node: this.config.node,
      maxResults: this.config.maxSpoolResults,
      logger: this.logger,
    });
    this.guard = ReplayGuard.restore(await this.spoolRef.readGuard());
    for (const rejected of this.options.plugins.rejected) {
      this.logger.warn(rejected, 'plugin rejected');
    }
    const connect = this.options.connect ?? connectMqtt;
    this.client = connect(this.config.brokerUrl, await this.mqttOptions());
    this.client.handleMessage = (packet, done) => void this.track(this.onPublish(packet, done));
    this.client.on('connect', (connack) => void this.track(this.onConnect(connack)));
    this.client.on('close', () => this.onClose());
    this.client.on('error', (error) => this.logger.warn({ err: error }, 'mqtt error'));
    this.every(this.config.resendIntervalSeconds * 1000, () => this.resend(false));
    this.every(1000, () => void this.track(this.saveGuard()));
    if (!this.options.oneshot) this.scheduleIntervalPlugins();
    for (const job of this.spoolRef.jobs()) this.enqueue(job);
    this.logger.info(
      { node: this.config.node, broker: this.config.brokerUrl, plugins: [...this.plugins.keys()] },
      'agent started',
    );
  }

  /**
   * Stops: running plugins are killed (their requests stay in the spool and run at the next
   * start), the presence says offline, the connection closes without removing the session.
   */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    for (const timer of this.timers) clearTimeout(timer);
    clearTimeout(this.reconnectTimer);
    this.abort.abort();
    await settle([...this.inFlight], 10_000);
    const client = this.client;
    if (client?.connected) {
      await settle(
        [
          client.publishAsync(
            this.topics.presence(this.config.node),
            encodeMessage(this.presence(false)),
            { qos: 1, retain: true },
          ),
        ],
        2000,
      );
    }
    const ended = client ? await settle([client.endAsync(false)], 3000) : true;
    if (!ended) await client?.endAsync(true).catch(() => undefined);
    await this.saveGuard().catch(() => undefined);
    await this.spoolRef?.close();
    this.finishedSignal.resolve();
    this.logger.info({ node: this.config.node }, 'agent stopped');
  }

  private async mqttOptions(): Promise<IClientOptions> {
    const options: IClientOptions = {
      clientId: this.config.clientId,
      clean: false,
      protocolVersion: this.config.mqttVersion,
      keepalive: this.config.keepaliveSeconds,
      reconnectPeriod: 0, // the agent reconnects itself, with jitter
      connectTimeout: 10_000,
      resubscribe: false,
      will: {
        topic: this.topics.presence(this.config.node),
        payload: encodeMessage(this.presence(false)),
        qos: 1,
        retain: true,
      },
    };
    if (this.config.username !== undefined) options.username = this.config.username;
    if (this.config.password !== undefined) options.password = this.config.password;
    if (this.config.mqttVersion === 5) {
      options.properties = { sessionExpiryInterval: this.config.sessionExpirySeconds };
    }
    return { ...options, ...(await brokerTlsOptions(this.config)) };
  }

  private async onConnect(connack: IConnackPacket): Promise<void> {
    this.connectedAt = Date.now();
    this.logger.info({ sessionPresent: connack.sessionPresent }, 'connected to the broker');
    const client = this.client;
    if (!client) return;
    try {
      const topics = [
        this.topics.requestAll,
        this.topics.requestNode(this.config.node),
        this.topics.ack(this.config.node),
      ];
      const granted = (await client.subscribeAsync(topics, { qos: 1 })) as Array<{
        topic: string;
        qos: number;
      }>;
      const refused = granted.filter((grant) => grant.qos > 2).map((grant) => grant.topic);
      if (refused.length > 0)
        this.logger.error({ topics: refused }, 'the broker refused these subscriptions');
      await client.publishAsync(
        this.topics.presence(this.config.node),
        encodeMessage(this.presence(true)),
        { qos: 1, retain: true },
      );
      this.readySignal.resolve();
      this.resend(true);
    } catch (error) {
      // The connection dropped while setting up; `close` schedules the next attempt.
      this.logger.warn({ err: error }, 'could not finish setting up the connection');
    }
  }

  private onClose(): void {
    if (this.stopping || this.reconnectTimer !== undefined) return;
    // Back off from scratch only after a connection that held; one dropped at once (a broker
    // refusing us, another agent with our client id) keeps backing off further.
    const connectedForMs = this.connectedAt === undefined ? 0 : Date.now() - this.connectedAt;
    this.connectedAt = undefined;
    if (connectedForMs >= STABLE_CONNECTION_MS) this.reconnectAttempt = 0;
    const delay = reconnectDelay(
      this.reconnectAttempt++,
      this.config.reconnectMinSeconds * 1000,
      this.config.reconnectMaxSeconds * 1000,
    );
    this.logger.info(
      { inMs: delay, attempt: this.reconnectAttempt, connectedForMs },
      'disconnected from the broker; reconnecting',
    );
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      if (!this.stopping) this.client?.reconnect();
    }, delay);
  }

  /**
   * Every incoming publish. `done` sends the PUBACK, so it is called once the work is safe (a
   * request is in the spool). It is always called: mqtt.js handles incoming packets one at a time,
   * so holding one back would also hold back every acknowledgement after it.
   */
  private async onPublish(packet: IPublishPacket, done: (error?: Error) => void): Promise<void> {
    try {
      const topic = this.topics.parse(packet.topic);
      if (topic?.kind === 'request') await this.onRequest(packet);
      else if (topic?.kind === 'ack') await this.onAck(packet);
      else this.logger.debug({ topic: packet.topic }, 'ignored a message on an unexpected topic');
    } catch (error) {
      this.logger.error({ topic: packet.topic, err: error }, 'failed to handle a message; dropped');
    }
    done();
  }

  private async onRequest(packet: IPublishPacket): Promise<void> {
    const outcome = acceptRequest(packet.payload, {
      node: this.config.node,
      publicKeys: this.config.serverKeys,
      guard: this.guard,
      clockSkewMs: this.config.clockSkewSeconds * 1000,
      maxTtlMs: this.config.maxRequestTtlSeconds * 1000,
    });
    if (!outcome.ok) {
      this.logger.warn(
        { topic: packet.topic, reason: outcome.reason, requestId: outcome.requestId },
        'request dropped',
      );
      return;
    }
    this.guardDirty = true;
    const request = outcome.request;
    this.logger.info({ requestId: request.id, plugin: request.plugin }, 'request accepted');
    try {
      await this.spool.addJob(request);
    } catch (error) {
      this.logger.error(
        { requestId: request.id, err: error },
        'cannot write the request to the spool; running it anyway',
      );
    }
    // Stopping, or a oneshot that already has its request: the spooled job runs at the next start.
    if (this.stopping || (this.options.oneshot && this.oneshotRequestId !== undefined)) return;
    if (this.options.oneshot) this.oneshotRequestId = request.id;
    this.enqueue(request);
  }

  private async onAck(packet: IPublishPacket): Promise<void> {
    const ack = decodeAck(packet.payload);
    if (!ack.ok) {
      this.logger.warn({ reason: ack.reason }, 'acknowledgement dropped');
      return;
    }
    // A refused result is in `resultIds` too: it leaves the spool rather than being resent.
    for (const { resultId, reason } of ack.value.refused ?? [])
      this.logger.warn({ resultId, reason }, 'result refused by the server; dropped');
    const removed = await this.spool.acknowledge(ack.value);
    for (const id of removed) this.lastSent.delete(id);
    this.logger.debug({ resultIds: removed }, 'results acknowledged');
    const oneshotAcked =
      (this.oneshotRequestId !== undefined &&
        ack.value.requestIds.includes(this.oneshotRequestId)) ||
      (this.oneshotResultId !== undefined && removed.includes(this.oneshotResultId));
    if (oneshotAcked) this.finishedSignal.resolve();
  }

  private enqueue(request: Request): void {
    this.queue.push(request);
    this.pump();
  }

  private pump(): void {
    while (!this.stopping && this.running < this.config.concurrency && this.queue.length > 0) {
      const request = this.queue.shift();
      if (!request) break;
      this.running++;
      void this.track(
        this.answer(request).finally(() => {
          this.running--;
          this.pump();
        }),
      );
    }
  }

  private async answer(request: Request): Promise<void> {
    const plugin = this.plugins.get(request.plugin);
    const context = { node: this.config.node, requestId: request.id, signal: this.abort.signal };
    let result: Result;
    if (plugin) {
      result = await executePlugin(plugin, context);
      if (this.abort.signal.aborted) return; // killed by stop(): the job stays for the next start
    } else {
      this.logger.warn(
        { requestId: request.id, plugin: request.plugin },
        'plugin not authorized here',
      );
      result = notAuthorizedResult(request.plugin, context);
    }
    await this.keep(result);
    await this.spool.removeJob(request.id);
    if (request.id === this.oneshotRequestId) this.awaitOneshotAck(result.id);
  }

  private scheduleIntervalPlugins(): void {
    for (const plugin of this.plugins.values()) {
      const interval = plugin.intervalMs;
      if (interval === undefined) continue;
      const tick = (): void => {
        void this.track(this.runOnSchedule(plugin)).finally(() => this.after(interval, tick));
      };
      // Spread the first runs so a fleet restarting together does not run everything at once.
      this.after(Math.random() * Math.min(interval, 30_000), tick);
    }
  }

  private async runOnSchedule(plugin: Plugin): Promise<void> {
    if (this.stopping || this.runningIntervals.has(plugin.name)) return;
    this.runningIntervals.add(plugin.name);
    try {
      const result = await executePlugin(plugin, {
        node: this.config.node,
        signal: this.abort.signal,
      });
      if (!this.abort.signal.aborted) await this.keep(result);
    } finally {
      this.runningIntervals.delete(plugin.name);
    }
  }

  /** Spools a result, then sends it. */
  private async keep(result: Result): Promise<void> {
    try {
      await this.spool.addResult(result);
    } catch (error) {
      this.logger.error(
        { resultId: result.id, err: error },
        'cannot write the result to the spool; sending it once',
      );
    }
    this.logger.info(
      {
        resultId: result.id,
        requestId: result.requestId,
        plugin: result.plugin,
        ok: result.ok,
        resultError: result.error,
      },
      'result ready',
    );
    this.send(result);
  }

  /** Publishes a result if connected; the spool and `resend` take care of the rest. */
  private send(result: Result): void {
    const client = this.client;
    if (!client?.connected || this.stopping) return;
    // Only ever our own: the server refuses another node's result, so it would come back forever.
    if (result.node !== this.config.node) return;
    this.lastSent.set(result.id, Date.now());
    client
      .publishAsync(this.topics.result(this.config.node), encodeMessage(result), { qos: 1 })
      .catch((error: Error) =>
        this.logger.debug({ resultId: result.id, err: error }, 'result not sent; will retry'),
      );
  }

  /** Sends the unacknowledged results again: all of them after a reconnect, else the stale ones. */
  private resend(all: boolean): void {
    if (!this.spoolRef) return;
    const staleBefore = Date.now() - this.config.resendIntervalSeconds * 1000 * 0.9;
    for (const result of this.spoolRef.pendingResults()) {
      const sentAt = this.lastSent.get(result.id);
      if (all || sentAt === undefined || sentAt <= staleBefore) this.send(result);
    }
  }

  private awaitOneshotAck(resultId: string): void {
    if (!this.spool.hasResult(resultId)) {
      this.finishedSignal.resolve();
      return;
    }
    this.oneshotResultId = resultId;
    this.after(this.options.oneshotAckWaitMs ?? 5000, () => {
      this.logger.warn(
        { resultId },
        'no acknowledgement yet; the result stays in the spool for the next run',
      );
      this.finishedSignal.resolve();
    });
  }

  private presence(online: boolean): Presence {
    return {
      v: PROTOCOL_VERSION,
      node: this.config.node,
      online,
      agentVersion: AGENT_VERSION,
      plugins: [...this.plugins.values()].map(pluginInfo),
      rejected: this.options.plugins.rejected,
      at: new Date().toISOString(),
    };
  }

  private async saveGuard(): Promise<void> {
    if (!this.guardDirty || !this.spoolRef) return;
    this.guardDirty = false;
    await this.spoolRef.writeGuard(this.guard.snapshot());
  }

  private after(ms: number, fn: () => void): void {
    if (this.stopping) return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      fn();
    }, ms);
    this.timers.add(timer);
  }

  private every(ms: number, fn: () => void): void {
    const tick = (): void => {
      fn();
      this.after(ms, tick);
    };
    this.after(ms, tick);
  }

  /** Keeps a promise in view so `stop` can wait for it, and logs it if it fails. */
  private track(promise: Promise<void>): Promise<void> {
    const tracked = promise.catch((error: Error) =>
      this.logger.error({ err: error }, 'unexpected error'),
    );
    this.inFlight.add(tracked);
    void tracked.finally(() => this.inFlight.delete(tracked));
    return tracked;
  }
}

/** A connection that lasted this long resets the reconnect back-off. */
const STABLE_CONNECTION_MS = 30_000;

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve = (): void => undefined;
  const promise = new Promise<void>((done) => {
    resolve = done;
  });
  return { promise, resolve };
}

/** Waits for the promises, at most `ms`; true when they all settled in time. */
async function settle(promises: Promise<unknown>[], ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  const all = Promise.allSettled(promises).then(() => true as const);
  const outcome = await Promise.race([all, timeout]);
  clearTimeout(timer);
  return outcome;
}
