import { randomUUID } from 'node:crypto';
import pg from 'pg';
import type { Logger } from '../../logger.js';
import { survivePoolErrors } from '../../util/pg-pool-errors.js';
import type { EventBus, EventFilter, EventHandler } from '../event-bus.js';
import { LocalEvents, readLogAfter } from '../local-events.js';
import type { DeliveredEvent, RunEvent } from '../run-events.js';
import {
  appendEvents,
  ensureEventLog,
  eventLogNames,
  parseAnnouncement,
  readEvents,
  readNewest,
  trimEvents,
  type Announcement,
  type EventLogNames,
} from './event-log.js';

export interface PostgresEventBusOptions {
  /** `postgres://user@host:port/db`. */
  url: string;
  /** Overrides the password of the URL (from a secret source). */
  password?: string | undefined;
  /** Where the bus's two tables live (the project's schema; default `public`). */
  schema?: string;
  /** Namespaces the tables and the channel: one per Minke installation (or test). */
  prefix: string;
  /** How many events the log table keeps, approximately. */
  maxLen?: number;
  /** How many events this process holds for `since` (as the memory bus's capacity). */
  capacity?: number;
  /** How many of the newest logged events a new process reads back, so `since` reaches them. */
  preload?: number;
  /** Events written per statement, at most. */
  batchSize?: number;
  /** How long a batch is retried while PostgreSQL is away before it is given up (logged). */
  publishRetryMs?: number;
  logger: Logger;
}

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The event bus across processes, on PostgreSQL: every event is numbered and stored in a log
 * table, and announced with NOTIFY on one channel that every process LISTENs to, in one statement
 * (see `appendEvents`). A notification carries the events when they fit under NOTIFY's 8000-byte
 * limit, and else only their numbers: the listener then reads them from the table. So any output
 * chunk travels, the log is the one truth, and nothing is split and glued back together.
 *
 * Listening takes a dedicated connection (LISTEN holds its session). When it drops, the bus
 * connects again and reads from the log what was published meanwhile before it delivers anything
 * newer, so handlers see every event in order (as far back as the log keeps). Publishing goes
 * through a small pool, one batch at a time, so each process's events keep their order; a batch
 * is retried while PostgreSQL is away (up to `publishRetryMs`).
 */
export class PostgresEventBus implements EventBus {
  /** Names this bus's connections in `pg_stat_activity`: `minke-events <instance> listener`. */
  readonly instance = randomUUID().slice(0, 8);
  private readonly names: EventLogNames;
  private readonly pool: pg.Pool;
  private readonly local: LocalEvents;
  private readonly pending: RunEvent[] = [];
  private listener: pg.Client | undefined;
  private lastSeq = 0;
  private lastTrim = 0;
  /** Everything the listener does, one step after another, so delivery keeps the numbers' order. */
  private work: Promise<void> = Promise.resolve();
  private flushing: Promise<void> | undefined;
  private reconnecting: NodeJS.Timeout | undefined;
  private reconnectAttempts = 0;
  private readonly started: Promise<void>;
  private closed = false;

  constructor(private readonly options: PostgresEventBusOptions) {
    this.local = new LocalEvents(options.capacity ?? 50_000, (error) =>
      options.logger.error({ err: error }, 'event handler failed'),
    );
    this.names = eventLogNames(options.schema ?? 'public', options.prefix);
    this.pool = new pg.Pool({
      ...this.connectionOptions('publisher'),
      max: 2,
      connectionTimeoutMillis: 10_000,
    });
    // A connection losing its server must not crash the process; the next query reports it.
    survivePoolErrors(this.pool);
    this.started = this.start();
    this.started.catch((error: unknown) =>
      options.logger.error({ err: error }, 'event bus: could not start on PostgreSQL'),
    );
  }

  publish(event: RunEvent): void {
    if (this.closed) return;
    this.pending.push(event);
    this.flushing ??= this.flush().finally(() => (this.flushing = undefined));
  }

  subscribe(handler: EventHandler, filter?: EventFilter): () => void {
    return this.local.subscribe(handler, filter);
  }

  since(seq: number, filter?: EventFilter): DeliveredEvent[] {
    return this.local.since(seq, filter);
  }

  async history(seq: number, filter?: EventFilter): Promise<DeliveredEvent[]> {
    return readLogAfter(seq, this.maxLen, (after, pageSize) =>
      readEvents(this.pool, this.names, after, pageSize, filter?.runId),
    );
  }

  ready(): Promise<void> {
    return this.started;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.local.unsubscribeAll();
    clearTimeout(this.reconnecting);
    // Events published just before give their batch a moment to go out, not forever.
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.allSettled([this.flushing, this.started]),
      new Promise((resolve) => (timer = setTimeout(resolve, 1000))),
    ]);
    clearTimeout(timer);
    const listener = this.listener;
    this.listener = undefined;
    await Promise.allSettled([listener?.end(), this.pool.end()]);
  }

  private get maxLen(): number {
    return this.options.maxLen ?? 100_000;
  }

  private connectionOptions(role: string): pg.ClientConfig {
    return {
      connectionString: this.options.url,
      ...(this.options.password === undefined ? {} : { password: this.options.password }),
      // Names the connection in pg_stat_activity (an operator, or a test, can find it).
      application_name: `minke-events ${this.instance} ${role}`,
      keepAlive: true,
    };
  }

  /** Creates the tables if needed, listens, then reads back the newest logged events. */
  private async start(): Promise<void> {
    await ensureEventLog(this.pool, this.names, this.options.schema ?? 'public');
    const client = await this.listen();
    await this.enqueue(client, async () => {
      const { last, events } = await readNewest(client, this.names, this.options.preload ?? 10_000);
      this.local.remember(events);
      this.lastSeq = last;
    });
  }

  /** Opens the listening connection; notifications queue up behind what is already queued. */
  private async listen(): Promise<pg.Client> {
    const client = new pg.Client(this.connectionOptions('listener'));
    client.on('notification', (message) => {
      if (message.channel !== this.names.channel) return;
      const announcement = parseAnnouncement(message.payload);
      if (!announcement) {
        this.options.logger.warn(
          { payload: message.payload?.slice(0, 200) },
          'event bus: unreadable notification',
        );
        return;
      }
      this.enqueue(client, () => this.receive(client, announcement)).catch((error: unknown) => {
        // Not lost: the next notification finds the gap and reads it from the log first.
        if (!this.closed) this.options.logger.warn({ err: error }, 'event bus: missed events');
      });
    });
    client.on('error', (error) => this.lost(client, error));
    client.on('end', () => this.lost(client, undefined));
    try {
      await client.connect();
      await client.query(`LISTEN "${this.names.channel}"`);
    } catch (error) {
      client.removeAllListeners('end');
      await client.end().catch(() => undefined);
      throw error;
    }
    if (this.closed) {
      await client.end().catch(() => undefined);
      throw new Error('event bus closed');
    }
    this.listener = client;
    return client;
  }

  /**
   * Runs `step` after the steps queued before it (the chain goes on when one fails), so events
   * are delivered in the order of their numbers.
   */
  private enqueue(client: pg.Client, step: () => Promise<void>): Promise<void> {
    const run = this.work.then(() =>
      this.closed || client !== this.listener ? undefined : step(),
    );
    this.work = run.catch(() => undefined);
    return run;
  }

  /** Delivers what a notification announced, after any events missed before it. */
  private async receive(client: pg.Client, announcement: Announcement): Promise<void> {
    if ('from' in announcement) {
      await this.catchUp(client, announcement.to);
    } else {
      const first = announcement.events[0];
      if (first && first.seq > this.lastSeq + 1) await this.catchUp(client, first.seq - 1);
      for (const event of announcement.events) if (event.seq > this.lastSeq) this.deliver(event);
    }
    await this.trimDelivered();
  }

  /** Reads and delivers the logged events after the last one seen, up to `until` (or all). */
  private async catchUp(client: pg.Client, until = Number.POSITIVE_INFINITY): Promise<void> {
    const pageSize = 1000;
    const pages = Math.ceil(this.maxLen / pageSize) + 2;
    for (let page = 0; page < pages && this.lastSeq < until; page++) {
      const count = Math.min(pageSize, until - this.lastSeq);
      const events = await readEvents(client, this.names, this.lastSeq, count);
      for (const event of events) if (event.seq <= until) this.deliver(event);
      if (events.length < count) break;
    }
  }

  /** The listening connection dropped (a restart, a network cut, an administrator): connect again. */
  private lost(client: pg.Client, error: Error | undefined): void {
    if (this.closed || client !== this.listener) return;
    this.listener = undefined;
    this.options.logger.warn({ err: error }, 'event bus: lost the PostgreSQL listening connection');
    client.end().catch(() => undefined);
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.closed || this.reconnecting) return;
    const wait = Math.min(100 * 2 ** this.reconnectAttempts, 2000);
    this.reconnecting = setTimeout(() => {
      this.reconnecting = undefined;
      this.reconnect().catch((error: unknown) => {
        this.reconnectAttempts++;
        this.options.logger.warn({ err: error }, 'event bus: cannot listen on PostgreSQL yet');
        this.scheduleReconnect();
      });
    }, wait);
  }

  private async reconnect(): Promise<void> {
    if (this.closed) return;
    const client = await this.listen();
    this.reconnectAttempts = 0;
    this.options.logger.info({}, 'event bus: listening on PostgreSQL again');
    // What was published while nobody listened is in the log: delivered before newer events.
    await this.enqueue(client, () => this.catchUp(client)).catch((error: unknown) => {
      this.options.logger.warn({ err: error }, 'event bus: could not read missed events');
      void client.end(); // and connect again (see `lost`), to read them then
    });
  }

  /** Writes the waiting events, a batch at a time, in the order they were published. */
  private async flush(): Promise<void> {
    await this.started.catch(() => undefined);
    const batchSize = this.options.batchSize ?? 500;
    while (this.pending.length > 0) {
      const batch = this.pending.splice(0, batchSize);
      await this.append(batch);
    }
  }

  /**
   * Keeps the log near `maxLen` events: drops all but the newest `maxLen` of those this process
   * has delivered, every 1,000. Trimming up to the newest number appended instead dropped events
   * before this process's own subscribers had them: its listener reads a burst from the log
   * behind the appends (1,600 published at once with 500 kept: 1,100 arrived).
   */
  private async trimDelivered(): Promise<void> {
    if (this.lastSeq - this.lastTrim < 1000) return;
    this.lastTrim = this.lastSeq;
    await trimEvents(this.pool, this.names, this.lastSeq, this.maxLen).catch((error: unknown) =>
      this.options.logger.warn({ err: error }, 'event bus: could not trim the log'),
    );
  }

  /** Appends one batch, retrying while PostgreSQL is away; gives up (logged) after a while. */
  private async append(batch: RunEvent[]): Promise<void> {
    const deadline = Date.now() + (this.options.publishRetryMs ?? 60_000);
    for (let attempt = 0; ; attempt++) {
      try {
        await appendEvents(this.pool, this.names, batch);
        return;
      } catch (error) {
        if (this.closed || Date.now() >= deadline) {
          this.options.logger.error(
            { err: error, events: batch.length, type: batch[0]?.type },
            'event bus: publish failed',
          );
          return;
        }
        await delay(Math.min(100 * 2 ** attempt, 2000));
      }
    }
  }

  private deliver(event: DeliveredEvent): void {
    this.lastSeq = event.seq;
    this.local.deliver(event);
  }
}
