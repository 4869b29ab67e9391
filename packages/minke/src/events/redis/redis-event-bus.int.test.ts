import { afterEach, describe, expect, it } from 'vitest';
import { startPrivateRedis, uniqueRedisPrefix } from '../../../test-support/redis.js';
import { silentLogger } from '../../logger.js';
import type { RunEvent } from '../run-events.js';
import { RedisEventBus } from './redis-event-bus.js';

/**
 * What only the Redis bus does; the behaviour every bus shares is in
 * `../event-bus.conformance.int.test.ts`.
 */
const at = '2030-01-01T00:00:00.000Z';
function output(runId: number, chunk: string): RunEvent {
  return { type: 'output', runId, recordId: 1, stream: 'stdout', chunk, at };
}

/** Resolves with the first `count` events the handler sees (bounded). */
function collect(bus: RedisEventBus, count: number) {
  const seen: { seq: number; chunk: string }[] = [];
  return new Promise<typeof seen>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`saw ${seen.length} of ${count} events`)),
      10_000,
    );
    const unsubscribe = bus.subscribe((event) => {
      seen.push({ seq: event.seq, chunk: event.type === 'output' ? event.chunk : '' });
      if (seen.length < count) return;
      clearTimeout(timer);
      unsubscribe();
      resolve(seen);
    });
  });
}

const buses: RedisEventBus[] = [];
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(buses.splice(0).map((bus) => bus.close()));
  await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
});

describe('Redis event bus', () => {
  it('numbers above the lost numbers after Redis lost its data, delivering what came after', async () => {
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
    const old = await before;
    // Numbers start from the clock (a thousand a millisecond), as the in-memory bus's do.
    const first = old[0]?.seq ?? 0;
    expect(first).toBeGreaterThan((Date.now() - 60_000) * 1000);
    expect(old.map((e) => e.seq)).toEqual([first, first + 1, first + 2]);
    await redis.stop();
    await redis.start();
    const after = collect(watcher, 5);
    for (let i = 0; i < 5; i++) publisher.publish(output(5, `new${i}`));
    const events = await after;
    expect(events.map((e) => e.chunk)).toEqual([...Array(5).keys()].map((i) => `new${i}`));
    // Above every number of the lost data, in a row: a client resuming with the last old id
    // (a browser's Last-Event-ID) gets every new event, none skipped as seen.
    const next = events[0]?.seq ?? 0;
    expect(next).toBeGreaterThan(first + 2);
    expect(events.map((e) => e.seq)).toEqual([0, 1, 2, 3, 4].map((i) => next + i));
    const resumed = watcher.since(first + 2).map((e) => (e.type === 'output' ? e.chunk : ''));
    expect(resumed).toEqual(events.map((e) => e.chunk));
  });
});
