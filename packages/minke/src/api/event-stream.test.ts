import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { DeliveredEvent } from '../events/run-events.js';
import {
  DEFAULT_EVENT_STREAM_OPTIONS,
  EventStreamWriter,
  type StreamSink,
} from './event-stream.js';

const at = '2026-01-01T00:00:00.000Z';

function sink(): StreamSink & { text: string; destroyed: boolean; writableLength: number } {
  return {
    text: '',
    destroyed: false,
    writableLength: 0,
    write(chunk: string) {
      this.text += chunk;
      return true;
    },
    destroy() {
      this.destroyed = true;
    },
  };
}

function frames(text: string) {
  return text
    .split('\n\n')
    .filter((block) => block.includes('data: '))
    .map((block) => {
      const lines = block.split('\n');
      const id = lines.find((l) => l.startsWith('id: '))?.slice(4);
      const event = lines.find((l) => l.startsWith('event: '))?.slice(7);
      const data = JSON.parse(
        lines.find((l) => l.startsWith('data: '))?.slice(6) ?? 'null',
      ) as Record<string, unknown>;
      return { id, event, data };
    });
}

let seq = 0;
const output = (
  recordId: number,
  chunk: string,
  stream: 'stdout' | 'stderr' = 'stdout',
): DeliveredEvent => ({
  type: 'output',
  runId: 1,
  recordId,
  stream,
  chunk,
  at,
  seq: ++seq,
});
const started = (recordId: number): DeliveredEvent => ({
  type: 'command.started',
  runId: 1,
  recordId,
  command: 'x',
  at,
  seq: ++seq,
});

describe('event stream writer', () => {
  let clock = 0;
  beforeEach(() => {
    vi.useFakeTimers();
    clock = 1_000;
    seq = 0;
  });
  afterEach(() => vi.useRealTimers());
  const advance = (ms: number) => {
    clock += ms;
    vi.advanceTimersByTime(ms);
  };

  it('sends the first output at once and coalesces the rest into one event per 50 ms', () => {
    const out = sink();
    const writer = new EventStreamWriter(out, DEFAULT_EVENT_STREAM_OPTIONS, () => clock);
    writer.push(output(7, 'line 1\n'));
    expect(frames(out.text)).toHaveLength(1);
    for (let i = 2; i <= 500; i++) writer.push(output(7, `line ${i}\n`));
    expect(frames(out.text)).toHaveLength(1); // the rest waits for the next flush
    advance(49);
    expect(frames(out.text)).toHaveLength(1);
    advance(1);
    const sent = frames(out.text);
    expect(sent).toHaveLength(2);
    expect(sent[1]?.data).toMatchObject({
      type: 'output',
      recordId: 7,
      chunks: 499,
      firstSeq: 2,
      seq: 500,
    });
    const text = sent.map((f) => f.data['chunk'] as string).join('');
    expect(text).toBe(Array.from({ length: 500 }, (_, i) => `line ${i + 1}\n`).join(''));
    expect(sent.map((f) => f.id)).toEqual(['1', '500']);
    writer.close();
  });

  it('sends what waits as soon as an event comes after the flush was due, timer or not', () => {
    const out = sink();
    const writer = new EventStreamWriter(out, DEFAULT_EVENT_STREAM_OPTIONS, () => clock);
    writer.push(output(7, 'a')); // at once
    writer.push(output(7, 'b')); // waits for the flush's timer
    clock += 60; // a busy event loop: the timer is late
    writer.push(output(7, 'c'));
    expect(frames(out.text).map((f) => f.data['chunk'])).toEqual(['a', 'bc']);
    writer.push(output(7, 'd')); // waits again
    clock += 60;
    writer.push(started(7)); // not output, but what waits is due
    expect(frames(out.text).map((f) => f.event)).toEqual([
      'output',
      'output',
      'output',
      'command.started',
    ]);
    writer.close();
  });

  it('keeps each record in order: an event waits behind its output, later output goes after it', () => {
    const out = sink();
    const writer = new EventStreamWriter(out, DEFAULT_EVENT_STREAM_OPTIONS, () => clock);
    writer.push(output(1, 'a')); // immediate
    writer.push(output(1, 'b')); // waits
    writer.push(output(2, 'x')); // waits (another record, same flush)
    writer.push(started(1)); // behind the waiting output
    writer.push(output(1, 'c')); // after the event: a new slot
    writer.push(output(2, 'y')); // joins record 2's slot
    advance(100);
    const sent = frames(out.text).map((f) => [
      f.event,
      f.data['recordId'],
      f.data['chunk'] ?? null,
      f.id,
    ]);
    expect(sent).toEqual([
      ['output', 1, 'a', '1'],
      ['output', 1, 'b', undefined],
      ['command.started', 1, null, undefined],
      ['output', 1, 'c', undefined],
      ['output', 2, 'xy', '6'],
    ]);
    // Numbers only go up, so a client can skip replays by the last number it applied.
    const numbers = frames(out.text).map((f) => f.data['seq'] as number);
    expect(numbers).toEqual([...numbers].sort((a, b) => a - b));
    writer.close();
  });

  it('sends other events at once when no output waits', () => {
    const out = sink();
    const writer = new EventStreamWriter(out, DEFAULT_EVENT_STREAM_OPTIONS, () => clock);
    writer.push(started(3));
    writer.push(started(4));
    expect(frames(out.text).map((f) => f.id)).toEqual(['1', '2']);
    writer.close();
  });

  it('splits joined text over the cap into several events, and cuts only a single longer chunk', () => {
    const out = sink();
    const writer = new EventStreamWriter(
      out,
      { ...DEFAULT_EVENT_STREAM_OPTIONS, maxChunkChars: 10 },
      () => clock,
    );
    writer.push(output(1, 'first'));
    writer.push(output(1, '1234'));
    writer.push(output(1, '56'));
    writer.push(output(1, '7890abcdef'));
    writer.push(output(1, 'g'.repeat(15)));
    advance(100);
    const sent = frames(out.text).map((f) => f.data);
    expect(sent.map((d) => d['chunk'])).toEqual(['first', '123456', '7890abcdef', 'g'.repeat(10)]);
    expect(sent.map((d) => d['truncated'])).toEqual([undefined, undefined, undefined, 5]);
    expect(sent.map((d) => d['chunks'])).toEqual([1, 2, 1, 1]);
    writer.close();
  });

  it('replays in one write, coalesced, and cuts off a client that cannot keep up', () => {
    const out = sink();
    const writer = new EventStreamWriter(
      out,
      { ...DEFAULT_EVENT_STREAM_OPTIONS, maxBufferedBytes: 100 },
      () => clock,
    );
    writer.replay([output(1, 'a'), output(1, 'b'), started(1), output(1, 'c'), output(2, 'z')]);
    expect(frames(out.text).map((f) => [f.event, f.data['chunk'] ?? null, f.id])).toEqual([
      ['output', 'ab', undefined],
      ['command.started', null, undefined],
      ['output', 'c', undefined],
      ['output', 'z', '5'],
    ]);
    out.writableLength = 1000;
    writer.ping();
    expect(out.destroyed).toBe(true);
    expect(writer.isClosed).toBe(true);
  });
});
