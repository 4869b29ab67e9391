import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { POSTGRES_URL } from '../../../test-support/databases.js';
import { runFinished } from '../../../test-support/run-waiter.js';
import { dropSchema, uniqueSchema } from '../../../test-support/postgres-schemas.js';
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
    return { bus };
  };
}

/**
 * What only the PostgreSQL bus does (its log's trimming, the runtime's wiring); the behaviour
 * every bus shares is in `../event-bus.conformance.int.test.ts`.
 */
describe('PostgreSQL event bus: its shared log', { timeout: 30_000 }, () => {
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
  it('gives its own subscribers every event of a burst published while its listener was cut off', async () => {
    const make = sharedLog();
    const { bus } = await make({ maxLen: 500 });
    const done = collect(bus, 1600);
    // An administrator (or a network cut) ends the listening connection; the bus connects again
    // after a pause, and meanwhile the burst is appended to the log through its pool.
    const admin = new pg.Client({ connectionString: POSTGRES_URL });
    await admin.connect();
    try {
      await admin.query(
        'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1',
        [`minke-events ${bus.instance} listener`],
      );
    } finally {
      await admin.end();
    }
    for (let i = 0; i < 1600; i++) bus.publish(output(4, `b${i}`));
    const events = await done;
    expect(events.map((event) => event.seq)).toEqual(Array.from({ length: 1600 }, (_, i) => i + 1));
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
