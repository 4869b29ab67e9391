import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { POSTGRES_URL } from '../../test-support/databases.js';
import {
  dropSchema,
  terminateConnections,
  uniqueSchema,
} from '../../test-support/postgres-schemas.js';
import { deleteRedisPrefix, REDIS_URL, uniqueRedisPrefix } from '../../test-support/redis.js';
import { silentLogger } from '../logger.js';
import type { EventBus } from './event-bus.js';
import { MemoryEventBus } from './memory-event-bus.js';
import { PostgresEventBus } from './postgres/postgres-event-bus.js';
import { RedisEventBus } from './redis/redis-event-bus.js';
import type { DeliveredEvent, RunEvent } from './run-events.js';

/**
 * One suite for the `EventBus` contract, run on every implementation: in memory, PostgreSQL
 * LISTEN/NOTIFY and Redis pub/sub. A distributed bus also passes the cross-process part: several
 * processes (each bus here has its own connections) share one numbering and one log, and a bus
 * whose listening connection drops catches up from the log. Backend-only behaviour stays beside
 * each backend (`postgres/`: the log's trimming, the runtime wiring; `redis/`: Redis losing its
 * data).
 */
interface BusFactory {
  name: string;
  /** A shared bus (one database schema or key prefix); `make` opens another process's handle. */
  setup(): { make: () => EventBus; cleanup: () => Promise<void> };
  /** For a distributed bus: cuts `bus`'s listening connection, as a network failure would. */
  dropListener?: (bus: EventBus) => Promise<void>;
  /** The bus of the same server started again (in memory: a new one; else a new handle). */
  restarted(make: () => EventBus): EventBus;
}

const memory: BusFactory = {
  name: 'memory',
  setup() {
    let bus: MemoryEventBus | undefined;
    return { make: () => (bus ??= new MemoryEventBus()), cleanup: () => Promise.resolve() };
  },
  restarted: () => new MemoryEventBus(),
};

const redis: BusFactory = {
  name: 'redis',
  setup() {
    const prefix = uniqueRedisPrefix();
    return {
      make: () => new RedisEventBus({ url: REDIS_URL, prefix, logger: silentLogger }),
      cleanup: () => deleteRedisPrefix(REDIS_URL, prefix),
    };
  },
  restarted: (make) => make(),
  async dropListener(bus) {
    const channel = (bus as unknown as { keys: { channel: string } }).keys.channel;
    const admin = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
    try {
      const clients = (await admin.call('CLIENT', 'LIST', 'TYPE', 'pubsub')) as string;
      const ids = clients
        .split('\n')
        .filter((line) => line.includes(` name=${channel}:subscriber `))
        .map((line) => /\bid=(\d+)/.exec(line)?.[1])
        .filter((id): id is string => id !== undefined);
      expect(ids.length).toBeGreaterThan(0);
      for (const id of ids) await admin.call('CLIENT', 'KILL', 'ID', id);
    } finally {
      admin.disconnect();
    }
  },
};

const postgres: BusFactory = {
  name: 'postgres',
  setup() {
    const schema = uniqueSchema();
    return {
      make: () =>
        new PostgresEventBus({ url: POSTGRES_URL, schema, prefix: 'minke', logger: silentLogger }),
      cleanup: () => dropSchema(schema),
    };
  },
  restarted: (make) => make(),
  async dropListener(bus) {
    const { instance } = bus as PostgresEventBus;
    expect(await terminateConnections(`minke-events ${instance} listener`)).toBe(1);
  },
};

const at = '2030-01-01T00:00:00.000Z';
function output(runId: number, chunk: string): RunEvent {
  return { type: 'output', runId, recordId: 1, stream: 'stdout', chunk, at };
}
const chunkOf = (event: DeliveredEvent) => (event.type === 'output' ? event.chunk : '');
const numbered = (prefix: string, count: number) =>
  [...Array(count).keys()].map((i) => `${prefix}${i}`);

/** Resolves with the first `count` events the handler sees (bounded). */
function collect(bus: EventBus, count: number, filter?: { runId: number }) {
  const seen: DeliveredEvent[] = [];
  return new Promise<DeliveredEvent[]>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`saw ${seen.length} of ${count} events`)),
      15_000,
    );
    const unsubscribe = bus.subscribe((event) => {
      seen.push(event);
      if (seen.length < count) return;
      clearTimeout(timer);
      unsubscribe();
      resolve(seen);
    }, filter);
  });
}

const buses: EventBus[] = [];
let cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(buses.splice(0).map((bus) => bus.close()));
  await Promise.all(cleanups.map((cleanup) => cleanup()));
  cleanups = [];
});

/** Opens handles on one shared bus, each ready before it is returned. */
function open(factory: BusFactory) {
  const { make, cleanup } = factory.setup();
  cleanups.push(cleanup);
  return async () => {
    const bus = make();
    if (!buses.includes(bus)) buses.push(bus);
    await bus.ready();
    return bus;
  };
}

describe.each([memory, postgres, redis])(
  'event bus conformance: $name',
  { timeout: 30_000 },
  (factory) => {
    it('delivers events in order with growing sequence numbers, filtered by run', async () => {
      const bus = await open(factory)();
      const all = collect(bus, 4);
      const runTwo = collect(bus, 2, { runId: 2 });
      for (const [runId, chunk] of [
        [1, 'a'],
        [2, 'b'],
        [1, 'c'],
        [2, 'd'],
      ] as const)
        bus.publish(output(runId, chunk));
      const events = await all;
      expect(events.map(chunkOf)).toEqual(['a', 'b', 'c', 'd']);
      const seqs = events.map((e) => e.seq);
      expect(seqs).toEqual([...seqs].sort((x, y) => x - y));
      expect(new Set(seqs).size).toBe(4);
      expect((await runTwo).map((e) => e.runId)).toEqual([2, 2]);
    });

    it('carries a big output chunk whole, multi-byte characters included', async () => {
      const bus = await open(factory)();
      // 20 kB: far over PostgreSQL NOTIFY's 8000-byte payload limit.
      const big = `${'é'.repeat(10_000)}end`;
      const done = collect(bus, 3);
      bus.publish(output(1, 'before'));
      bus.publish(output(1, big));
      bus.publish(output(1, 'after'));
      expect((await done).map(chunkOf)).toEqual(['before', big, 'after']);
      expect((await bus.history(0)).map(chunkOf)).toEqual(['before', big, 'after']);
    });

    it('holds events for a client that resumes: since is synchronous, history the shared log', async () => {
      const bus = await open(factory)();
      const done = collect(bus, 3);
      bus.publish(output(7, 'one'));
      bus.publish(output(8, 'two'));
      bus.publish(output(7, 'three'));
      const [first] = await done;
      const after = bus.since(first?.seq ?? 0);
      expect(after.map(chunkOf)).toEqual(['two', 'three']);
      expect(bus.since(0, { runId: 7 }).map((e) => e.seq)).toEqual(
        (await bus.history(0, { runId: 7 })).map((e) => e.seq),
      );
      expect((await bus.history(first?.seq ?? 0)).map((e) => e.seq)).toEqual(
        after.map((e) => e.seq),
      );
    });

    it('keeps delivering to other handlers when one throws, and stops after unsubscribe', async () => {
      const bus = await open(factory)();
      const seen: string[] = [];
      const unsubscribe = bus.subscribe(() => seen.push('x'));
      bus.subscribe(() => {
        throw new Error('handler bug');
      });
      const first = collect(bus, 1);
      bus.publish(output(1, 'a'));
      await first;
      unsubscribe();
      const second = collect(bus, 1);
      bus.publish(output(1, 'b'));
      await second;
      expect(seen).toEqual(['x']);
    });

    it('numbers events after a restart above every number of the life before', async () => {
      // A client resuming across the restart with an old id must be told to re-read, never
      // have the new life's events skipped as ones it has seen.
      const { make, cleanup } = factory.setup();
      cleanups.push(cleanup);
      const before = make();
      await before.ready();
      const seen = collect(before, 50);
      for (let i = 0; i < 50; i++) before.publish(output(5, `old${i}`));
      const last = (await seen).at(-1)?.seq ?? Infinity;
      await before.close();
      await new Promise((resolve) => setTimeout(resolve, 5)); // a restart takes time
      const after = factory.restarted(make);
      buses.push(after);
      await after.ready();
      const next = collect(after, 1);
      after.publish(output(5, 'new'));
      expect((await next)[0]?.seq).toBeGreaterThan(last);
    });
  },
);

describe.each([postgres, redis])(
  'event bus across processes: $name',
  { timeout: 30_000 },
  (factory) => {
    it('gives one numbering to events published by several processes, seen alike by each', async () => {
      const make = open(factory);
      const a = await make();
      const b = await make();
      const onA = collect(a, 20);
      const onB = collect(b, 20);
      for (let i = 0; i < 10; i++) {
        a.publish(output(1, `a${i}`));
        b.publish(output(1, `b${i}`));
      }
      const [seenA, seenB] = await Promise.all([onA, onB]);
      const key = (e: DeliveredEvent) => `${e.seq}:${chunkOf(e)}`;
      expect(seenB.map(key)).toEqual(seenA.map(key));
      const seqs = seenA.map((e) => e.seq);
      expect(seqs).toEqual([...seqs].sort((x, y) => x - y));
      expect(new Set(seqs).size).toBe(20);
      // Each publisher's own events stay in its order.
      const chunks = seenA.map(chunkOf);
      expect(chunks.filter((c) => c.startsWith('a'))).toEqual(numbered('a', 10));
      expect(chunks.filter((c) => c.startsWith('b'))).toEqual(numbered('b', 10));
      // The shared log gives the same events to a client that resumes on either process.
      const resumeAfter = seqs[5] ?? 0;
      expect((await b.history(resumeAfter, { runId: 1 })).map(key)).toEqual(
        seenA.slice(6).map(key),
      );
    });

    it('lets a process that starts later resume a client from the shared log', async () => {
      const make = open(factory);
      const a = await make();
      const done = collect(a, 5);
      for (let i = 0; i < 5; i++) a.publish(output(3, `e${i}`));
      const events = await done;
      const late = await make();
      const resumeAfter = events[1]?.seq ?? 0;
      expect(late.since(resumeAfter).map((e) => e.seq)).toEqual(events.slice(2).map((e) => e.seq));
      expect((await late.history(resumeAfter, { runId: 3 })).map((e) => e.seq)).toEqual(
        events.slice(2).map((e) => e.seq),
      );
      // And live events follow the preloaded ones.
      const next = collect(late, 1);
      a.publish(output(3, 'live'));
      expect((await next)[0]?.seq).toBe((events.at(-1)?.seq ?? 0) + 1);
    });

    it('catches up after its listening connection drops, in order, and keeps listening', async () => {
      const make = open(factory);
      const publisher = await make();
      const watcher = await make();
      const warm = collect(watcher, 1);
      publisher.publish(output(4, 'before'));
      const [before] = await warm;

      const seen = collect(watcher, 31);
      await factory.dropListener?.(watcher);
      // Published while the watcher may have no listening connection, then after it is back.
      for (let i = 0; i < 30; i++) publisher.publish(output(4, `n${i}`));
      publisher.publish(output(4, 'x'.repeat(9000)));
      const events = await seen;
      expect(events.map(chunkOf)).toEqual([...numbered('n', 30), 'x'.repeat(9000)]);
      const first = (before?.seq ?? 0) + 1;
      expect(events.map((e) => e.seq)).toEqual([...Array(31).keys()].map((i) => first + i));

      // Dropped again with nothing published meanwhile: later events still arrive.
      await factory.dropListener?.(watcher);
      const later = collect(watcher, 1);
      publisher.publish(output(4, 'after'));
      expect((await later).map(chunkOf)).toEqual(['after']);
      expect(watcher.since(0).map(chunkOf).at(-1)).toBe('after');
    });
  },
);
