import { randomUUID } from 'node:crypto';
import { Redis, type RedisOptions } from 'ioredis';
import type { Logger } from '../../logger.js';
import type { EventBus, EventFilter, EventHandler } from '../event-bus.js';
import { LocalEvents, matchesFilter, readLogAfter } from '../local-events.js';
import type { DeliveredEvent, RunEvent } from '../run-events.js';

export interface RedisEventBusOptions {
  /** `redis://[user:password@]host:port[/db]`. */
  url: string;
  /** Overrides the password of the URL (from a secret source). */
  password?: string | undefined;
  /** Namespaces the channel, the counter and the log: one per Minke installation (or test). */
  prefix: string;
  /** How many events the shared log (a Redis stream) keeps, approximately. */
  maxLen?: number;
  /** How many events this process holds for `since` (as the memory bus's capacity). */
  capacity?: number;
  /** How many of the newest logged events a new process reads back, so `since` reaches them. */
  preload?: number;
  logger: Logger;
}

/**
 * Numbers an event, logs it and publishes it in one step, so sequence numbers are global and the
 * channel carries them in order. The event gets its `seq` spliced in as the first key.
 * A counter that is not there (a new installation, or a Redis that lost its data) starts from
 * the clock, a thousand a millisecond, as the in-memory bus does: numbers from before a loss
 * stay below, so a client resuming with an old id is not skipped past the new events.
 * `%d`: Lua would write a number this large as `1.7e+15`.
 * KEYS: counter, stream, channel. ARGV: event JSON (an object), stream MAXLEN, the clock's start.
 */
const publishScript = `
local seq = redis.call('INCR', KEYS[1])
if seq == 1 then
  redis.call('SET', KEYS[1], ARGV[3])
  seq = redis.call('INCRBY', KEYS[1], 0)
end
local id = string.format('%d', seq)
local delivered = '{"seq":' .. id .. ',' .. string.sub(ARGV[1], 2)
redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[2], id .. '-0', 'e', delivered)
redis.call('PUBLISH', KEYS[3], delivered)
return seq
`;

type Publisher = Redis & {
  minkePublish(
    counter: string,
    stream: string,
    channel: string,
    event: string,
    maxLen: number,
    clockStart: number,
  ): Promise<number>;
};

/**
 * The event bus across processes, on Redis: every event gets a global sequence number (a
 * counter), goes into a capped stream (the shared log that `history` reads and a new process
 * preloads) and out on a pub/sub channel that every process subscribes to. Each process holds the
 * events it has seen, so `since` stays synchronous; a gap in the numbers (a dropped connection)
 * is filled from the stream before later events are delivered, so handlers see them in order.
 */
export class RedisEventBus implements EventBus {
  private readonly publisher: Publisher;
  private readonly subscriber: Redis;
  private readonly local: LocalEvents;
  private readonly keys: { counter: string; stream: string; channel: string; epoch: string };
  /** Names the generation of Redis's data: it changes when Redis lost it. */
  private epoch: string | undefined;
  private lastSeq = 0;
  private filling = false;
  private readonly held: DeliveredEvent[] = [];
  private readonly started: Promise<void>;
  private closed = false;

  constructor(private readonly options: RedisEventBusOptions) {
    this.local = new LocalEvents(options.capacity ?? 50_000, (error) =>
      options.logger.error({ err: error }, 'event handler failed'),
    );
    const base: RedisOptions = {
      ...(options.password === undefined ? {} : { password: options.password }),
      // Events wait while Redis is away and go out when it is back.
      maxRetriesPerRequest: null,
      retryStrategy: (times) => Math.min(200 * times, 2000),
    };
    this.publisher = new Redis(options.url, base) as Publisher;
    this.publisher.defineCommand('minkePublish', { numberOfKeys: 3, lua: publishScript });
    this.subscriber = new Redis(options.url, {
      ...base,
      connectionName: `${options.prefix}:events:subscriber`,
    });
    for (const client of [this.publisher, this.subscriber]) {
      client.on('error', (error: unknown) =>
        options.logger.warn({ err: error }, 'event bus: Redis connection error'),
      );
    }
    this.keys = {
      counter: `${options.prefix}:events:seq`,
      stream: `${options.prefix}:events:log`,
      channel: `${options.prefix}:events`,
      epoch: `${options.prefix}:events:epoch`,
    };
    this.subscriber.on('message', (_channel: string, message: string) => this.onMessage(message));
    // After a reconnect (resubscribed by ioredis), read what was published meanwhile.
    let connections = 0;
    this.subscriber.on('ready', () => {
      if (++connections > 1) this.catchUp();
    });
    this.started = this.start();
    this.started.catch((error: unknown) =>
      options.logger.error({ err: error }, 'event bus: could not subscribe'),
    );
  }

  publish(event: RunEvent): void {
    if (this.closed) return;
    const { counter, stream, channel } = this.keys;
    this.publisher
      .minkePublish(
        counter,
        stream,
        channel,
        JSON.stringify(event),
        this.options.maxLen ?? 100_000,
        Date.now() * 1000,
      )
      .catch((error: unknown) =>
        this.options.logger.error({ err: error, type: event.type }, 'event bus: publish failed'),
      );
  }

  subscribe(handler: EventHandler, filter?: EventFilter): () => void {
    return this.local.subscribe(handler, filter);
  }

  since(seq: number, filter?: EventFilter): DeliveredEvent[] {
    return this.local.since(seq, filter);
  }

  async history(seq: number, filter?: EventFilter): Promise<DeliveredEvent[]> {
    const events = await readLogAfter(seq, this.options.maxLen ?? 100_000, (after, pageSize) =>
      this.readLog(after, pageSize),
    );
    return events.filter((event) => matchesFilter(event, filter));
  }

  ready(): Promise<void> {
    return this.started;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.local.unsubscribeAll();
    // QUIT lets queued events go out; a Redis that is away gets a moment, not forever.
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.allSettled([this.publisher.quit(), this.subscriber.quit()]),
      new Promise((resolve) => (timer = setTimeout(resolve, 1000))),
    ]);
    clearTimeout(timer);
    this.publisher.disconnect();
    this.subscriber.disconnect();
  }

  /**
   * Subscribes, then reads back the newest logged events, so `since` reaches them. Live events
   * wait meanwhile, and those the log already gave are dropped as duplicates.
   */
  private async start(): Promise<void> {
    this.filling = true;
    try {
      await this.subscriber.subscribe(this.keys.channel);
      this.epoch = await this.currentEpoch();
      const preload = this.options.preload ?? 10_000;
      if (preload > 0) {
        const entries = await this.publisher.xrevrange(
          this.keys.stream,
          '+',
          '-',
          'COUNT',
          preload,
        );
        const older = entries
          .map(([, fields]) => parseDelivered(fields[1]))
          .filter((event): event is DeliveredEvent => event !== undefined)
          .reverse();
        this.local.remember(older);
        this.lastSeq = older.at(-1)?.seq ?? 0;
      }
    } finally {
      this.flushHeld();
    }
  }

  private onMessage(message: string): void {
    const event = parseDelivered(message);
    if (!event) {
      this.options.logger.warn({ message: message.slice(0, 200) }, 'event bus: unreadable event');
      return;
    }
    if (this.filling) {
      this.held.push(event);
      return;
    }
    if (event.seq <= this.lastSeq) this.restartNumbering(event.seq);
    if (this.lastSeq > 0 && event.seq > this.lastSeq + 1) {
      this.fillGap(event);
      return;
    }
    this.deliver(event);
  }

  /** Reads the events this process missed from the log, then delivers them and what waited. */
  private fillGap(trigger: DeliveredEvent): void {
    this.filling = true;
    this.held.push(trigger);
    const from = this.lastSeq;
    // The log holds at most maxLen: a gap wider than that (numbers that jumped to the clock
    // after Redis lost its data) is read as far as the log goes.
    this.readLog(from, Math.min(trigger.seq - from - 1, this.options.maxLen ?? 100_000))
      .then((missed) => {
        for (const event of missed) if (event.seq > this.lastSeq) this.deliver(event);
      })
      .catch((error: unknown) =>
        this.options.logger.warn({ err: error }, 'event bus: could not read missed events'),
      )
      .finally(() => this.flushHeld());
  }

  /** Reads the log after the last event seen (up to its length), then what waited. */
  private catchUp(): void {
    if (this.filling || this.closed) return;
    this.filling = true;
    this.readMissed()
      .catch((error: unknown) =>
        this.options.logger.warn({ err: error }, 'event bus: could not read missed events'),
      )
      .finally(() => this.flushHeld());
  }

  private async readMissed(): Promise<void> {
    const epoch = await this.currentEpoch();
    if (this.epoch !== undefined && epoch !== this.epoch) this.restartNumbering(0);
    this.epoch = epoch;
    for (const event of await this.history(this.lastSeq)) {
      if (event.seq > this.lastSeq) this.deliver(event);
    }
  }

  /** The data generation's name, set by the first process that finds none. */
  private async currentEpoch(): Promise<string> {
    await this.publisher.set(this.keys.epoch, randomUUID(), 'NX');
    return (await this.publisher.get(this.keys.epoch)) ?? '';
  }

  /** Numbers only go back when Redis lost its data (restarted without persistence). */
  private restartNumbering(seq: number): void {
    this.options.logger.warn({ seq, last: this.lastSeq }, 'event bus: numbering restarted');
    this.local.forget();
    this.lastSeq = 0;
  }

  /** Delivers the live events that waited, dropping those delivered already. */
  private flushHeld(): void {
    this.filling = false;
    const waiting = this.held.splice(0);
    for (const [index, event] of waiting.entries()) {
      if (this.filling) {
        this.held.push(...waiting.slice(index));
        return;
      }
      if (event.seq <= this.lastSeq) continue;
      if (this.lastSeq > 0 && event.seq > this.lastSeq + 1) this.fillGap(event);
      else this.deliver(event);
    }
  }

  private deliver(event: DeliveredEvent): void {
    this.lastSeq = event.seq;
    this.local.deliver(event);
  }

  private async readLog(after: number, count: number): Promise<DeliveredEvent[]> {
    if (count <= 0) return [];
    const entries = await this.publisher.xrange(
      this.keys.stream,
      `(${after}-0`,
      '+',
      'COUNT',
      count,
    );
    return entries
      .map(([, fields]) => parseDelivered(fields[1]))
      .filter((event): event is DeliveredEvent => event !== undefined);
  }
}

function parseDelivered(text: string | undefined): DeliveredEvent | undefined {
  if (text === undefined) return undefined;
  try {
    const value = JSON.parse(text) as unknown;
    if (typeof value !== 'object' || value === null) return undefined;
    const { seq, type } = value as { seq?: unknown; type?: unknown };
    return typeof seq === 'number' && typeof type === 'string'
      ? (value as DeliveredEvent)
      : undefined;
  } catch {
    return undefined;
  }
}
