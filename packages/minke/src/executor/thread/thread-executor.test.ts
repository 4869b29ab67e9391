import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { MemoryEventBus } from '../../events/memory-event-bus.js';
import type { DeliveredEvent } from '../../events/run-events.js';
import type { Logger } from '../../logger.js';
import { drainCounts } from '../../metrics/process-counts.js';
import type { RunJournal } from '../../runs/run-journal.js';
import type { RunPlan } from '../executor.js';
import { ThreadExecutor } from './thread-executor.js';

// The server's side of the session thread, against real worker threads that play the thread's
// part of the protocol (thread-messages.ts) in a few lines each.

/** A thread that says it is ready, answers runs with their events and ends when closed. */
const WORKING = `
const parentPort = require('node:worker_threads').workerData.port;
parentPort.on('message', (message) => {
  if (message.type === 'submit') {
    const { runId } = message.plan;
    parentPort.postMessage({ type: 'events', events: [
      { type: 'message.added', runId, recordId: 1, text: message.plan.session + ' as ' + message.actor.name },
      { type: 'run.finished', runId },
    ], counts: [['countCommand', 'success', 2]] });
  } else if (message.type === 'idle' || message.type === 'ping')
    parentPort.postMessage({ type: 'done', call: message.call });
  else if (message.type === 'close') {
    parentPort.postMessage({ type: 'done', call: message.call });
    parentPort.close();
  }
});
parentPort.postMessage({ type: 'ready' });
`;

/** A thread that cannot open its project. */
const FAILING = `
const parentPort = require('node:worker_threads').workerData.port;
parentPort.postMessage({ type: 'failed', message: 'cannot open the project' });
process.exitCode = 1;
`;

/**
 * A thread that, given a run, says so in the shared flags ([2] = 1), waits for the test's go
 * ([1] = 1), sends the run's events and says it did ([0] = 1).
 */
const ON_CUE = `
const { workerData } = require('node:worker_threads');
const { port, flags } = workerData;
port.on('message', (message) => {
  if (message.type === 'submit') {
    Atomics.store(flags, 2, 1);
    Atomics.wait(flags, 1, 0, 5000);
    port.postMessage({ type: 'events', events: [{ type: 'run.finished', runId: message.plan.runId }], counts: [] });
    Atomics.store(flags, 0, 1);
    Atomics.notify(flags, 0);
  } else if (message.type === 'idle' || message.type === 'close') {
    port.postMessage({ type: 'done', call: message.call });
    if (message.type === 'close') port.close();
  }
});
port.postMessage({ type: 'ready' });
`;

/**
 * A thread that answers pings until it takes a run, then never yields again: a session's loop
 * without an await (bounded at 20 s, so that a watchdog that fails leaves no thread behind).
 */
const SPINNING = `
const parentPort = require('node:worker_threads').workerData.port;
parentPort.on('message', (message) => {
  if (message.type === 'ping') parentPort.postMessage({ type: 'done', call: message.call });
  if (message.type === 'submit') {
    const until = Date.now() + 20000;
    while (Date.now() < until);
  }
});
parentPort.postMessage({ type: 'ready' });
`;

/** A thread that takes a run and then dies of a stray exception. */
const DYING = `
const parentPort = require('node:worker_threads').workerData.port;
parentPort.on('message', (message) => {
  if (message.type === 'submit') setTimeout(() => { throw new Error('stray'); }, 10);
});
parentPort.postMessage({ type: 'ready' });
`;

function recordingLogger(lines: string[]): Logger {
  const log = (_: object, message?: string) => lines.push(message ?? '');
  const logger: Logger = { debug: log, info: log, warn: log, error: log, child: () => logger };
  return logger;
}

function plan(runId: number): RunPlan {
  return {
    runId,
    session: { name: 'Uptime' } as RunPlan['session'],
    model: 'Host',
    data: {},
    batches: [],
  };
}

interface Fixture {
  executor: ThreadExecutor;
  events: DeliveredEvent[];
  log: string[];
  started: string[];
  gone: { owner: string; runs: readonly number[] }[];
}

function fixture(scripts: string[], flags?: Int32Array, stallMs?: number): Fixture {
  const bus = new MemoryEventBus();
  const events: DeliveredEvent[] = [];
  bus.subscribe((event) => events.push(event));
  const log: string[] = [];
  const started: string[] = [];
  const gone: Fixture['gone'] = [];
  const executor = new ThreadExecutor({
    start: (owner, port) => {
      const script = scripts[Math.min(started.length, scripts.length - 1)] ?? WORKING;
      started.push(owner);
      return new Worker(script, { eval: true, workerData: { port, flags }, transferList: [port] });
    },
    // Stops are not part of these tests.
    journal: {} as RunJournal,
    bus,
    logger: recordingLogger(log),
    threadGone: (owner, runs) => {
      gone.push({ owner, runs });
      return Promise.resolve();
    },
    restartDelayMs: 10,
    ...(stallMs === undefined ? {} : { stallMs }),
  });
  return { executor, events, log, started, gone };
}

describe('ThreadExecutor', () => {
  it('hands runs to the thread and publishes its events on the bus, as the requester', async () => {
    const { executor, events, started } = fixture([WORKING]);
    executor.submit(plan(7));
    await executor.idle();
    expect(events.map((event) => event.type)).toEqual(['message.added', 'run.finished']);
    expect(events[0]).toMatchObject({ runId: 7, text: 'Uptime as operator (CLI)' });
    const [first, second] = events.map((event) => event.seq);
    expect(second).toBe((first ?? 0) + 1);
    // The thread's counts are this process's, for its /metrics.
    expect(drainCounts()).toEqual([['countCommand', 'success', 2]]);
    await executor.close();
    expect(started).toHaveLength(1);
    expect(started[0]).toMatch(new RegExp(`^minke-${process.pid}-thread-`));
  });

  it('publishes what the thread sent when asked between requests, before the event loop gets to it', async () => {
    const flags = new Int32Array(new SharedArrayBuffer(12));
    const { executor, events } = fixture([ON_CUE], flags);
    executor.submit(plan(11));
    for (let turn = 0; turn < 2000 && Atomics.load(flags, 2) === 0; turn++)
      await new Promise((resolve) => setTimeout(resolve, 5));
    expect(Atomics.load(flags, 2)).toBe(1); // the thread has the run
    // From here on this thread stays busy, as when it answers a burst of API requests.
    Atomics.store(flags, 1, 1);
    Atomics.notify(flags, 1);
    expect(Atomics.wait(flags, 0, 0, 5000)).not.toBe('timed-out');
    expect(events).toEqual([]); // sent, but the event loop has not had a turn
    executor.takeEvents();
    expect(events.map((event) => [event.type, event.runId])).toEqual([['run.finished', 11]]);
    await executor.idle();
    expect(events).toHaveLength(1); // taken once
    await executor.close();
  });

  it('starts the thread again when it could not start, and runs what was submitted meanwhile', async () => {
    const { executor, events, log, started } = fixture([FAILING, FAILING, WORKING]);
    executor.submit(plan(8));
    await executor.idle();
    expect(started).toHaveLength(3);
    expect(log.filter((line) => line === 'the session thread could not start')).toHaveLength(2);
    expect(events.map((event) => [event.type, event.runId])).toEqual([
      ['message.added', 8],
      ['run.finished', 8],
    ]);
    await executor.close();
  });

  it('after a thread dies, has its unfinished runs ended and takes the next run in a new one', async () => {
    const { executor, events, log, started, gone } = fixture([DYING, WORKING]);
    executor.submit(plan(9));
    for (let wait = 0; wait < 200 && gone.length === 0; wait++)
      await new Promise((resolve) => setTimeout(resolve, 25));
    expect(gone).toEqual([{ owner: started[0], runs: [9] }]);
    expect(log.some((line) => line.startsWith('the session thread failed: an exception'))).toBe(
      true,
    );
    expect(log.some((line) => line.startsWith('the session thread ended (exit code 1)'))).toBe(
      true,
    );
    executor.submit(plan(10));
    await executor.idle();
    expect(started).toHaveLength(2);
    expect(events.map((event) => [event.type, event.runId])).toEqual([
      ['message.added', 10],
      ['run.finished', 10],
    ]);
    await executor.close();
  });

  it('terminates a thread that stops answering, ends its runs and takes the next in a new one', async () => {
    const { executor, events, log, started, gone } = fixture([SPINNING, WORKING], undefined, 400);
    // Answering pings while idle: well past the stall time, the thread is still the first.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect([started.length, gone.length]).toEqual([1, 0]);
    const submitted = Date.now();
    executor.submit(plan(12));
    for (let wait = 0; wait < 400 && gone.length === 0; wait++)
      await new Promise((resolve) => setTimeout(resolve, 25));
    expect(gone).toEqual([{ owner: started[0], runs: [12] }]);
    expect(Date.now() - submitted).toBeLessThan(5000);
    expect(
      log.some((line) =>
        /^the session thread has not answered for \d+ s: a session that never yields/.test(line),
      ),
    ).toBe(true);
    executor.submit(plan(13));
    await executor.idle();
    expect(started).toHaveLength(2);
    expect(events.map((event) => [event.type, event.runId])).toEqual([
      ['message.added', 13],
      ['run.finished', 13],
    ]);
    await executor.close();
  });
});
