import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import {
  deleteRedisPrefix,
  REDIS_URL,
  startPrivateRedis,
  uniqueRedisPrefix,
} from '../../../test-support/redis.js';
import { silentLogger, type Logger } from '../../logger.js';
import type { EventBus } from '../event-bus.js';
import { MemoryEventBus } from '../memory-event-bus.js';
import type { DeliveredEvent, RunEvent } from '../run-events.js';
import { RedisEventBus } from './redis-event-bus.js';
import { POSTGRES_URL } from '../../../test-support/databases.js';
import { dropSchema, uniqueSchema } from '../../../test-support/postgres-schemas.js';
import { PostgresEventBus } from '../postgres/postgres-event-bus.js';

/** One bus implementation; `make` may be called several times in a test (same shared bus). */
interface BusFactory {
  name: string;
  setup(): { make: (options?: { logger?: Logger }) => EventBus; cleanup: () => Promise<void> };
}

const factories: BusFactory[] = [
  {
    name: 'memory',
    setup() {
      let bus: MemoryEventBus | undefined;
      return {
        make: () => (bus ??= new MemoryEventBus()),
        cleanup: () => Promise.resolve(),
      };
    },
  },
  {
    name: 'redis',
    setup() {
      const prefix = uniqueRedisPrefix();
      return {
        make: (options = {}) =>
          new RedisEventBus({ url: REDIS_URL, prefix, logger: options.logger ?? silentLogger }),
        cleanup: () => deleteRedisPrefix(REDIS_URL, prefix),
      };
    },
  },
  {
    name: 'postgres',
    setup() {
      const schema = uniqueSchema();
      return {
        make: (options = {}) =>
          new PostgresEventBus({
            url: POSTGRES_URL,
            schema,
            prefix: 'minke',
            logger: options.logger ?? silentLogger,
          }),
        cleanup: () => dropSchema(schema),
      };
    },
  },
];

const at = '2030-01-01T00:00:00.000Z';
function output(runId: number, chunk: string): RunEvent {
  return { type: 'output', runId, recordId: 1, stream: 'stdout', chunk, at };
}

/** Resolves with the first `count` events the handler sees (bounded). */
function collect(bus: EventBus, count: number, filter?: { runId: number }) {
  const seen: DeliveredEvent[] = [];
  return new Promise<DeliveredEvent[]>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`saw ${seen.length} of ${count} events`)),
      10_000,
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

function open(factory: BusFactory) {
  const { make, cleanup } = factory.setup();
  cleanups.push(cleanup);
  return async (options?: { logger?: Logger }) => {
    const bus = make(options);
    if (!buses.includes(bus)) buses.push(bus);
    await bus.ready();
    return bus;
  };
}

describe.each(factories)('event bus conformance: $name', (factory) => {
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
    expect(events.map((e) => (e.type === 'output' ? e.chunk : ''))).toEqual(['a', 'b', 'c', 'd']);
    const seqs = events.map((e) => e.seq);
    expect(seqs).toEqual([...seqs].sort((x, y) => x - y));
    expect(new Set(seqs).size).toBe(4);
    expect((await runTwo).map((e) => e.runId)).toEqual([2, 2]);
  });

  it('holds events for a client that resumes: since is synchronous, history the shared log', async () => {
    const bus = await open(factory)();
    const done = collect(bus, 3);
    bus.publish(output(7, 'one'));
    bus.publish(output(8, 'two'));
    bus.publish(output(7, 'three'));
    const [first] = await done;
    const after = bus.since(first?.seq ?? 0);
    expect(after.map((e) => (e.type === 'output' ? e.chunk : ''))).toEqual(['two', 'three']);
    expect(bus.since(0, { runId: 7 }).map((e) => e.seq)).toEqual(
      (await bus.history(0, { runId: 7 })).map((e) => e.seq),
    );
    expect((await bus.history(first?.seq ?? 0)).map((e) => e.seq)).toEqual(after.map((e) => e.seq));
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
});

describe('event bus across processes: redis', () => {
  const redis = factories[1] as BusFactory;

  it('gives one numbering to events published by several processes, seen alike by each', async () => {
    const make = open(redis);
    const a = await make();
    const b = await make();
    const onA = collect(a, 20);
    const onB = collect(b, 20);
    for (let i = 0; i < 10; i++) {
      a.publish(output(1, `a${i}`));
      b.publish(output(1, `b${i}`));
    }
    const [seenA, seenB] = await Promise.all([onA, onB]);
    const key = (e: DeliveredEvent) => `${e.seq}:${e.type === 'output' ? e.chunk : ''}`;
    expect(seenA.map(key)).toEqual(seenB.map(key));
    const seqs = seenA.map((e) => e.seq);
    expect(seqs).toEqual([...seqs].sort((x, y) => x - y));
    // Each publisher's own events stay in its order.
    const chunks = seenA.map((e) => (e.type === 'output' ? e.chunk : ''));
    expect(chunks.filter((c) => c.startsWith('a'))).toEqual(
      [...Array(10).keys()].map((i) => `a${i}`),
    );
  });

  it('lets a process that starts later resume a client from the shared log', async () => {
    const make = open(redis);
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

  it('fills a gap left by a dropped connection from the log, in order', async () => {
    const make = open(redis);
    const publisher = await make();
    const watcher = await make();
    const warm = collect(watcher, 1);
    publisher.publish(output(4, 'before'));
    await warm;
    const admin = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
    try {
      // Cut the watcher's subscription; it reconnects by itself.
      const clients = (await admin.call('CLIENT', 'LIST', 'TYPE', 'pubsub')) as string;
      const channel = `${(watcher as unknown as { keys: { channel: string } }).keys.channel}`;
      expect(channel).toContain(':events');
      const seen = collect(watcher, 30);
      const ids = clients
        .split('\n')
        .filter((line) => line.includes(` name=${channel}:subscriber `))
        .map((line) => /\bid=(\d+)/.exec(line)?.[1])
        .filter((id): id is string => id !== undefined);
      expect(ids.length).toBeGreaterThan(0);
      for (const id of ids) await admin.call('CLIENT', 'KILL', 'ID', id);
      for (let i = 0; i < 30; i++) publisher.publish(output(4, `n${i}`));
      const events = await seen;
      expect(events.map((e) => (e.type === 'output' ? e.chunk : ''))).toEqual(
        [...Array(30).keys()].map((i) => `n${i}`),
      );
    } finally {
      admin.disconnect();
    }
  });

  it('numbers again from 1 after Redis lost its data, delivering what came after', async () => {
    const redis = await startPrivateRedis();
    cleanups.push(() => redis.dispose());
    const prefix = uniqueRedisPrefix();
    const make = async () => {
      const bus = new RedisEventBus({ url: redis.url, prefix, logger: silentLogger });
      buses.push(bus);
      await bus.ready();
      return bus;
    };
    const publisher = await make();
    const watcher = await make();
    const before = collect(watcher, 3);
    for (let i = 0; i < 3; i++) publisher.publish(output(5, `old${i}`));
    await before;
    await redis.stop();
    await redis.start();
    const after = collect(watcher, 5);
    for (let i = 0; i < 5; i++) publisher.publish(output(5, `new${i}`));
    const events = await after;
    expect(events.map((e) => (e.type === 'output' ? e.chunk : ''))).toEqual(
      [...Array(5).keys()].map((i) => `new${i}`),
    );
    expect(events.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(watcher.since(0).map((e) => e.seq)).toEqual([1, 2, 3, 4, 5]);
  });
});
