import type { DeliveredEvent, RunEventOf } from '../events/run-events.js';
import { observeEventLag } from '../metrics/process-metrics.js';

export interface EventStreamOptions {
  /** Output goes out at most once per this many ms per stream (chunks of a record joined). */
  coalesceMs: number;
  /** Characters of one record's output per event; more goes in the next one, and a single chunk
   * longer than this is cut, with what was dropped counted. */
  maxChunkChars: number;
  /** A comment line this often keeps proxies from closing an idle stream. */
  pingMs: number;
  /** A client this far behind (bytes not yet sent) is cut off; it reconnects and resumes. */
  maxBufferedBytes: number;
  /** What `retry:` tells the browser to wait before reconnecting. */
  retryMs: number;
}

export const DEFAULT_EVENT_STREAM_OPTIONS: EventStreamOptions = {
  coalesceMs: 50,
  // The producer side is bounded per command already (session/live-output.ts).
  maxChunkChars: 256 * 1024,
  pingMs: 15_000,
  maxBufferedBytes: 8 * 1024 * 1024,
  retryMs: 2_000,
};

/** Output as the stream sends it: the chunks of one record and stream since the last flush. */
export type StreamedOutput = RunEventOf<'output'> & {
  /** The last chunk's sequence number, and the first's. */
  seq: number;
  firstSeq: number;
  /** How many chunks were joined. */
  chunks: number;
  /** Characters dropped because the joined text reached the cap. */
  truncated?: number;
};

/** The part of a response the writer uses (Node's ServerResponse has it; tests pass their own). */
export interface StreamSink {
  write(text: string): boolean;
  readonly writableLength: number;
  destroy(): void;
}

interface OutputSlot {
  key: string;
  event: RunEventOf<'output'>;
  parts: string[];
  chars: number;
  truncated: number;
  firstSeq: number;
  lastSeq: number;
  chunks: number;
}

type Item = { event: DeliveredEvent } | { slot: OutputSlot };

const seqOf = (item: Item): number => ('slot' in item ? item.slot.lastSeq : item.event.seq);

/**
 * Writes run events to one server-sent-events client.
 *
 * - Output is coalesced: the first chunk after a quiet spell goes out at once; later ones wait
 *   for the next flush (at most one per `coalesceMs`), joined per record and stream into events of
 *   at most `maxChunkChars` (a single longer chunk is cut, `truncated` saying how much). Other events that arrive while
 *   output waits go out with it, in order, so a record's events never overtake each other.
 * - Numbers (`seq`) only go up within a connection: a joined chunk carries its last chunk's.
 * - `id:` is a watermark: every event up to it has been written. A client that reconnects with
 *   `Last-Event-ID` is replayed what came after; nothing is lost (an event written without an id
 *   in the same flush may come twice: it carries its `seq`, so a client can tell).
 */
export class EventStreamWriter {
  private queue: Item[] = [];
  private readonly openSlots = new Map<string, OutputSlot>();
  private timer: NodeJS.Timeout | undefined;
  private lastOutputFlush = Number.NEGATIVE_INFINITY;
  private consumedSeq = 0;
  private closed = false;

  constructor(
    private readonly sink: StreamSink,
    private readonly options: EventStreamOptions,
    private readonly now: () => number = () => performance.now(),
  ) {}

  get isClosed(): boolean {
    return this.closed;
  }

  /** The opening lines: the reconnect delay, and a comment that gets the headers moving. */
  start(): void {
    this.send(`retry: ${this.options.retryMs}\n: connected\n\n`);
  }

  push(event: DeliveredEvent): void {
    if (this.closed) return;
    observeEventLag(event.at); // minke_event_lag_seconds: live events only, not replays
    this.consume(event);
    // Due: the flush's timer would have fired, had the event loop not been busy (events come in
    // bursts then, taken between requests: see ThreadExecutor.takeEvents).
    const due = this.now() - this.lastOutputFlush >= this.options.coalesceMs;
    if (event.type === 'output') {
      if (due) this.flush();
      else this.schedule();
    } else if (this.queue.length === 1 || due) {
      this.flush(); // nothing was waiting (no reason to hold it), or what waited is due
    }
  }

  /** Events held by the bus since the client's last id, written at once (output coalesced). */
  replay(events: readonly DeliveredEvent[]): void {
    if (this.closed) return;
    for (const event of events) this.consume(event);
    this.flush();
  }

  /** Tells the client that events it missed are gone: it should re-read the state it shows. */
  reset(reason: string, seq: number): void {
    this.consumedSeq = Math.max(this.consumedSeq, seq);
    this.send(
      `id: ${this.consumedSeq}\nevent: reset\ndata: ${JSON.stringify({ reason, seq })}\n\n`,
    );
  }

  ping(): void {
    this.send(': ping\n\n');
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.queue = [];
    this.openSlots.clear();
  }

  /** Writes what waits, as one write; the last event carries the watermark id. */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.closed || this.queue.length === 0) return;
    // A slot sits where its first chunk came but is numbered by its last: ordered by that
    // number, every event of a flush goes out in ascending order (and a record's events keep
    // theirs, since its slot closes at its next other event), so a client can skip what it has
    // seen by one number.
    const items = this.queue.sort((a, b) => seqOf(a) - seqOf(b));
    this.queue = [];
    this.openSlots.clear();
    let text = '';
    items.forEach((item, index) => {
      const [type, data] =
        'slot' in item ? ['output', outputOf(item.slot)] : [item.event.type, item.event];
      const id = index === items.length - 1 ? `id: ${this.consumedSeq}\n` : '';
      text += `${id}event: ${type}\ndata: ${JSON.stringify(data)}\n\n`;
    });
    if (items.some((item) => 'slot' in item)) this.lastOutputFlush = this.now();
    this.send(text);
  }

  private consume(event: DeliveredEvent): void {
    this.consumedSeq = Math.max(this.consumedSeq, event.seq);
    if (event.type !== 'output') {
      this.queue.push({ event });
      // Later output of this record goes after this event, in a new slot.
      const recordId = 'recordId' in event ? event.recordId : undefined;
      for (const [key, slot] of this.openSlots) {
        if (
          slot.event.recordId === recordId ||
          (recordId === undefined && slot.event.runId === event.runId)
        )
          this.openSlots.delete(key);
      }
      return;
    }
    const key = `${event.recordId}:${event.stream}`;
    let slot = this.openSlots.get(key);
    if (slot && slot.chars > 0 && slot.chars + event.chunk.length > this.options.maxChunkChars) {
      // Full: the rest goes out as the next event of the same flush, in order. Dropping it made a
      // fast command's live output fall back to the bounded record on a loaded machine; memory
      // stays bounded by the producer (session/live-output.ts) and by `maxBufferedBytes`.
      this.openSlots.delete(key);
      slot = undefined;
    }
    if (!slot) {
      slot = {
        key,
        event,
        parts: [],
        chars: 0,
        truncated: 0,
        firstSeq: event.seq,
        lastSeq: event.seq,
        chunks: 0,
      };
      this.openSlots.set(key, slot);
      this.queue.push({ slot });
    }
    const room = this.options.maxChunkChars - slot.chars;
    const kept = event.chunk.length <= room ? event.chunk : event.chunk.slice(0, Math.max(0, room));
    if (kept.length > 0) slot.parts.push(kept);
    slot.chars += kept.length;
    slot.truncated += event.chunk.length - kept.length + (event.skipped ?? 0);
    slot.lastSeq = event.seq;
    slot.chunks++;
    slot.event = event; // the latest `at`
  }

  private schedule(): void {
    if (this.timer) return;
    const delay = Math.max(0, this.lastOutputFlush + this.options.coalesceMs - this.now());
    this.timer = setTimeout(() => this.flush(), Number.isFinite(delay) ? delay : 0);
  }

  private send(text: string): void {
    if (this.closed) return;
    this.sink.write(text);
    if (this.sink.writableLength > this.options.maxBufferedBytes) {
      // A client that cannot keep up: cut it off; it reconnects and resumes from its last id.
      this.close();
      this.sink.destroy();
    }
  }
}

function outputOf(slot: OutputSlot): StreamedOutput {
  const {
    seq: _seq,
    skipped: _skipped,
    ...event
  } = slot.event as RunEventOf<'output'> & { seq?: number };
  return {
    ...event,
    chunk: slot.parts.join(''),
    seq: slot.lastSeq,
    firstSeq: slot.firstSeq,
    chunks: slot.chunks,
    ...(slot.truncated > 0 ? { truncated: slot.truncated } : {}),
  };
}
