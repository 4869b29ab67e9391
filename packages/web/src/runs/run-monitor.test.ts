import { afterEach, describe, expect, it, vi } from 'vitest';
import type { RunDetail, RunEvent } from '@minke/contract';
import { openRunStream } from './event-stream.js';
import { FakeEventSource } from './fake-event-source.js';
import { RunBoard, type RunMemory } from './run-board.js';
import { RunMonitor } from './run-monitor.js';

const at = '2024-01-01T00:00:00Z';
const finishedEvent = (recordId: number): RunEvent => ({
  type: 'session.finished',
  runId: 7,
  at,
  recordId,
  objectId: recordId * 10,
  objectLabel: 'x',
  hostName: 'x',
  processState: 'completed',
  result: 'success',
  durationMs: 100,
});

function detail(finished = false): RunDetail {
  return {
    id: 7,
    session: 'S',
    model: 'Host',
    userId: 1,
    username: 'admin',
    state: finished ? 'finished' : 'running',
    createdAt: at,
    finishedAt: finished ? at : null,
    summary: {
      all: 2,
      waiting: 0,
      running: 0,
      done: 0,
      success: 0,
      warning: 0,
      error: 0,
      stopped: 0,
    },
    data: {},
    sessions: [1, 2].map((id) => ({
      id,
      runId: 7,
      session: 'S',
      verboseName: 'S',
      model: 'Host',
      userId: 1,
      username: 'admin',
      createdAt: at,
      procInfo: finished ? 'completed' : 'running...',
      objectId: id * 10,
      objectLabel: `o${id}`,
      hostName: 'h',
      processState: finished ? ('completed' as const) : ('running' as const),
      result: finished ? ('success' as const) : null,
      startedAt: at,
      finishedAt: null,
      durationMs: null,
    })),
  };
}

const flush = () => new Promise((resolve) => setTimeout(resolve, 0));

afterEach(() => FakeEventSource.reset());

describe('openRunStream', () => {
  it('resumes after the last applied id when the browser gives up, with backoff', () => {
    const timers: { fn: () => void; ms: number }[] = [];
    let last = 0;
    const events: number[] = [];
    const stream = openRunStream(
      7,
      { onEvent: (_e, seq) => events.push(seq ?? -1), onReset: () => undefined },
      {
        lastSeq: () => last,
        factory: (url) => new FakeEventSource(url),
        backoff: [100, 200],
        setTimer: (fn, ms) => timers.push({ fn, ms }),
      },
    );
    const first = FakeEventSource.instances[0]!;
    expect(first.url).toBe('/api/events?run=7&since=0');
    first.open();
    first.emit('session.finished', finishedEvent(1), 3);
    last = 3;
    first.fail(false); // the browser reconnects by itself
    expect(timers).toHaveLength(0);
    first.fail(true); // it gave up
    expect(timers[0]?.ms).toBe(100);
    timers[0]!.fn();
    const second = FakeEventSource.instances[1]!;
    expect(second.url).toBe('/api/events?run=7&since=3');
    second.fail(true);
    expect(timers[1]?.ms).toBe(200);
    first.emit('session.finished', finishedEvent(2), 4); // a stale source is ignored
    expect(events).toEqual([3]);
    stream.close();
    expect(second.readyState).toBe(2);
  });
});

describe('resuming inside a flush', () => {
  it("resumes from the server's last id:, not from the highest event applied", () => {
    const timers: (() => void)[] = [];
    const stream = openRunStream(
      7,
      { onEvent: () => undefined, onReset: () => undefined },
      {
        lastSeq: () => 12, // the highest event applied
        factory: (url) => new FakeEventSource(url),
        setTimer: (fn) => timers.push(fn),
      },
    );
    const es = FakeEventSource.instances[0]!;
    es.open();
    es.emit('session.finished', { ...finishedEvent(1), seq: 10 }, 10); // a flush ends: id 10
    es.emit('session.finished', { ...finishedEvent(2), seq: 12 }); // the next flush, cut short
    es.fail(true);
    timers[0]!();
    expect(FakeEventSource.instances[1]?.url).toBe('/api/events?run=7&since=10');
    stream.close();
  });
});

describe('event ids', () => {
  it("prefers the event's own seq: a replay sends id: only on its last event", () => {
    const seen: (number | undefined)[] = [];
    const stream = openRunStream(
      7,
      { onEvent: (_e, seq) => seen.push(seq), onReset: () => undefined },
      { lastSeq: () => 0, factory: (url) => new FakeEventSource(url) },
    );
    const es = FakeEventSource.instances[0]!;
    es.emit('session.finished', { ...finishedEvent(1), seq: 9 }, 8);
    es.emit('session.finished', finishedEvent(2));
    expect(seen).toEqual([9, undefined]);
    stream.close();
  });
});

describe('RunMonitor', () => {
  it('applies the snapshot, then events; closes when the run finishes', async () => {
    const monitor = new RunMonitor(7, {
      fetchRun: () => Promise.resolve(detail()),
      factory: (url) => new FakeEventSource(url),
      schedule: (fn) => fn(),
    });
    const seen = vi.fn();
    monitor.subscribe(seen);
    monitor.start();
    await flush();
    expect(monitor.session(10)?.processState).toBe('running');
    const es = FakeEventSource.instances[0]!;
    es.emit('session.finished', finishedEvent(1), 1);
    es.emit('session.finished', finishedEvent(1), 1);
    expect(monitor.session(10)?.processState).toBe('completed');
    es.emit(
      'run.finished',
      {
        type: 'run.finished',
        runId: 7,
        at,
        summary: {
          all: 2,
          waiting: 0,
          running: 0,
          done: 2,
          success: 2,
          warning: 0,
          error: 0,
          stopped: 0,
        },
      },
      2,
    );
    expect(monitor.active).toBe(false);
    expect(es.readyState).toBe(2);
    expect(seen).toHaveBeenCalled();
  });

  it('re-reads the run on reset', async () => {
    const fetchRun = vi
      .fn<(id: number) => Promise<RunDetail>>()
      .mockResolvedValueOnce(detail())
      .mockResolvedValueOnce(detail(true));
    const monitor = new RunMonitor(7, {
      fetchRun,
      factory: (url) => new FakeEventSource(url),
      schedule: (fn) => fn(),
    });
    monitor.start();
    await flush();
    FakeEventSource.instances[0]!.emit('reset', { reason: 'gone', seq: 120 });
    await flush();
    expect(fetchRun).toHaveBeenCalledTimes(2);
    expect(monitor.state.lastSeq).toBe(120);
    expect(monitor.session(20)).toMatchObject({ processState: 'completed', stale: true });
    expect(monitor.active).toBe(false);
  });

  it('batches notifications', () => {
    const queued: (() => void)[] = [];
    const monitor = new RunMonitor(7, {
      fetchRun: () => new Promise(() => undefined),
      factory: (url) => new FakeEventSource(url),
      schedule: (fn) => queued.push(fn),
    });
    const seen = vi.fn();
    monitor.subscribe(seen);
    monitor.start();
    const es = FakeEventSource.instances[0]!;
    for (let i = 1; i <= 100; i++)
      es.emit(
        'output',
        { type: 'output', runId: 7, at, recordId: 1, stream: 'stdout', chunk: `${i}\n` },
        i,
      );
    expect(queued).toHaveLength(1);
    queued[0]!();
    expect(seen).toHaveBeenCalledTimes(1);
  });
});

describe('RunBoard', () => {
  it('shows the newest session per object, remembers runs and clears', () => {
    const saved = new Map<string, number[]>();
    const memory: RunMemory = {
      load: (model) => saved.get(model) ?? [],
      save: (model, ids) => saved.set(model, [...ids]),
    };
    const board = new RunBoard(
      'Host',
      {
        fetchRun: () => new Promise(() => undefined),
        factory: (url) => new FakeEventSource(url),
        schedule: (fn) => fn(),
      },
      memory,
    );
    const records = (ids: number[]) =>
      ids.map((id) => ({ recordId: id, objectId: id * 10, objectLabel: '', hostName: null }));
    board.add(1, { id: 1, session: 'A', model: 'Host', records: records([1, 2]) });
    board.add(2, { id: 2, session: 'B', model: 'Host', records: records([3]) });
    expect(saved.get('Host')).toEqual([2, 1]);
    expect(board.session(10)?.monitor.runId).toBe(1);
    expect(board.summary().all).toBe(3);
    board.clear();
    expect(board.summary().all).toBe(0);
    expect(saved.get('Host')).toEqual([]);
  });
});
