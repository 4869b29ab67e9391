import { afterEach, describe, expect, it } from 'vitest';
import { POSTGRES_URL } from '../../../test-support/databases.js';
import { runFinished } from '../../../test-support/run-waiter.js';
import {
  dropSchema,
  terminateConnections,
  uniqueSchema,
} from '../../../test-support/postgres-schemas.js';
import { resolveConfig } from '../../config/resolve-config.js';
import { silentLogger } from '../../logger.js';
import { startRun } from '../../operations/start-run.js';
import { openProject } from '../../runtime/open-project.js';
import { createRuntime } from '../../runtime/runtime.js';
import { SingleCommandSession } from '../../session/builtin-sessions.js';
import type { EventBus } from '../event-bus.js';
import type { DeliveredEvent, RunEvent } from '../run-events.js';
import { PostgresEventBus } from './postgres-event-bus.js';

const at = '2030-01-01T00:00:00.000Z';
function output(runId: number, chunk: string): RunEvent {
  return { type: 'output', runId, recordId: 1, stream: 'stdout', chunk, at };
}
const chunkOf = (event: DeliveredEvent) => (event.type === 'output' ? event.chunk : '');

/** Resolves with the first `count` events the handler sees (bounded). */
function collect(bus: EventBus, count: number) {
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
    });
  });
}

const buses: EventBus[] = [];
const schemas: string[] = [];
afterEach(async () => {
  await Promise.all(buses.splice(0).map((bus) => bus.close()));
  for (const schema of schemas.splice(0)) await dropSchema(schema);
});

/** Opens buses on one shared log, each with its own connections (as separate processes). */
function sharedLog(prefix = 'minke') {
  const schema = uniqueSchema();
  schemas.push(schema);
  return async (options: { maxLen?: number } = {}) => {
    const bus = new PostgresEventBus({
      url: POSTGRES_URL,
      schema,
      prefix,
      logger: silentLogger,
      ...options,
    });
    buses.push(bus);
    await bus.ready();
    return { bus, listener: `minke-events ${bus.instance} listener` };
  };
}

describe('PostgreSQL event bus across processes', { timeout: 30_000 }, () => {
  it('delivers what one process publishes to another, in order, big output chunks included', async () => {
    const make = sharedLog();
    const { bus: a } = await make();
    const { bus: b } = await make();
    const onA = collect(a, 21);
    const onB = collect(b, 21);
    // 20 kB: far over NOTIFY's 8000-byte payload limit, in multi-byte characters.
    const big = `${'é'.repeat(10_000)}end`;
    for (let i = 0; i < 10; i++) {
      a.publish(output(1, `a${i}`));
      if (i === 5) a.publish(output(1, big));
      b.publish(output(1, `b${i}`));
    }
    const [seenA, seenB] = await Promise.all([onA, onB]);
    const key = (e: DeliveredEvent) => `${e.seq}:${chunkOf(e)}`;
    expect(seenB.map(key)).toEqual(seenA.map(key));
    expect(seenA.map((e) => e.seq)).toEqual([...Array(21).keys()].map((i) => i + 1));
    const fromA = seenB.map(chunkOf).filter((c) => !c.startsWith('b'));
    expect(fromA).toEqual(['a0', 'a1', 'a2', 'a3', 'a4', 'a5', big, 'a6', 'a7', 'a8', 'a9']);
    expect(seenB.map(chunkOf).filter((c) => c.startsWith('b'))).toEqual(
      [...Array(10).keys()].map((i) => `b${i}`),
    );
    // The shared log gives the same events to a client that resumes on either process.
    expect((await b.history(6, { runId: 1 })).map(key)).toEqual(seenA.slice(6).map(key));
  });

  it('listens again after its connection is killed, and delivers what was published meanwhile', async () => {
    const make = sharedLog();
    const { bus: publisher } = await make();
    const { bus: watcher, listener } = await make();
    const warm = collect(watcher, 1);
    publisher.publish(output(4, 'before'));
    expect((await warm).map(chunkOf)).toEqual(['before']);

    const seen = collect(watcher, 31);
    expect(await terminateConnections(listener)).toBe(1);
    // Published while the watcher has no listening connection, then after it is back.
    for (let i = 0; i < 30; i++) publisher.publish(output(4, `n${i}`));
    publisher.publish(output(4, 'x'.repeat(9000)));
    const events = await seen;
    expect(events.map(chunkOf)).toEqual([
      ...[...Array(30).keys()].map((i) => `n${i}`),
      'x'.repeat(9000),
    ]);
    expect(events.map((e) => e.seq)).toEqual([...Array(31).keys()].map((i) => i + 2));

    // Killed again, with nothing published meanwhile: later events still arrive.
    expect(await terminateConnections(listener)).toBe(1);
    const later = collect(watcher, 1);
    publisher.publish(output(4, 'after'));
    expect((await later).map(chunkOf)).toEqual(['after']);
    expect(watcher.since(0).map(chunkOf).at(-1)).toBe('after');
  });

  it('lets a process that starts later resume a client from the log, which keeps the newest events', async () => {
    const make = sharedLog();
    const { bus: a } = await make({ maxLen: 500 });
    const done = collect(a, 1600);
    for (let i = 0; i < 1600; i++) a.publish(output(3, `e${i}`));
    const events = await done;
    const { bus: late } = await make();
    expect(late.since(1590).map(chunkOf)).toEqual(events.slice(1590).map(chunkOf));
    // Trimmed to about maxLen: the oldest are gone, the newest 500 are kept.
    const kept = await late.history(0);
    expect(kept.length).toBeGreaterThanOrEqual(500);
    expect(kept.length).toBeLessThan(1600);
    expect(kept.at(-1)?.seq).toBe(1600);
    const next = collect(late, 1);
    a.publish(output(3, 'live'));
    expect((await next)[0]?.seq).toBe(1601);
  });
});

class Hello extends SingleCommandSession {
  static override workOn = ['Host'];
  static override command = 'echo hello {name}';
}

describe('MINKE_EVENT_BUS=postgres', { timeout: 30_000 }, () => {
  it("carries a run's events from the runtime that runs it to another process", async () => {
    const schema = uniqueSchema();
    schemas.push(schema);
    const config = resolveConfig(
      { database: POSTGRES_URL, sessions: [Hello] },
      { projectDir: process.cwd(), configFile: 'test' },
      { MINKE_EVENT_BUS: 'postgres' },
    );
    expect(config.eventBus).toBe('postgres');
    const project = await openProject(config, { migrate: true, schema });
    const runtime = createRuntime(project, { quiet: true });
    try {
      await runtime.bus.ready();
      await project.hosts.add({ name: 'local', config: { transport: 'local' } });
      // Another process on the same database: the bus's log and channel in the project's schema.
      const elsewhere = new PostgresEventBus({
        url: POSTGRES_URL,
        schema,
        prefix: config.executor.queuePrefix,
        logger: silentLogger,
      });
      buses.push(elsewhere);
      await elsewhere.ready();
      const seen: DeliveredEvent[] = [];
      const finished = new Promise<void>((resolve) =>
        elsewhere.subscribe((event) => {
          seen.push(event);
          if (event.type === 'run.finished') resolve();
        }),
      );
      const started = await startRun(runtime, { session: 'Hello', model: 'Host', ids: ['local'] });
      const here = await runFinished(runtime.bus, started.runId, 20_000);
      await finished;
      expect(seen.map((e) => `${e.seq}:${e.type}`)).toEqual(here.map((e) => `${e.seq}:${e.type}`));
      expect(seen.map(chunkOf).join('')).toBe('hello local\n');
      expect(seen.every((e) => e.runId === started.runId)).toBe(true);
    } finally {
      await runtime.close();
      await project.close();
    }
  });
});
