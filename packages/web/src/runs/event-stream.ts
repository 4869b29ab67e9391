import { RUN_EVENT_TYPES, type RunEvent } from '@minke/contract';
import { withQuery } from '../api/http.js';

/** The part of the browser's EventSource this client uses (tests pass a fake). */
export interface EventSourceLike {
  readonly readyState: number;
  addEventListener(type: string, listener: (event: MessageEvent<string>) => void): void;
  close(): void;
  onerror: ((event: Event) => void) | null;
  onopen: ((event: Event) => void) | null;
}

export type EventSourceFactory = (url: string) => EventSourceLike;

export interface RunStreamHandlers {
  onEvent(event: RunEvent, seq: number | undefined): void;
  /**
   * The server no longer holds the events after our last one: re-read the run's state. `seq` is
   * the server's newest id, to resume from next time.
   */
  onReset(seq: number | undefined): void;
  onStatus?(status: 'open' | 'reconnecting' | 'closed'): void;
}

export interface RunStreamOptions {
  /** The last event id applied; a reconnect resumes after it. */
  lastSeq: () => number;
  factory?: EventSourceFactory;
  /** Delays before reconnecting after the stream closed for good, in ms (the last repeats). */
  backoff?: readonly number[];
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (handle: unknown) => void;
}

const CLOSED = 2;

/**
 * Follows `GET /api/events?run=ID`. The browser's EventSource reconnects by itself after a
 * dropped connection and sends `Last-Event-ID`; when it gives up (an HTTP error, a server
 * restart), this opens a new one with `since=<the server's last id:>` (or the last applied id
 * before any), with a growing delay. Events are
 * deduplicated by the caller through their id, so overlapping replays are harmless.
 */
export function openRunStream(
  runId: number,
  handlers: RunStreamHandlers,
  options: RunStreamOptions,
): { close(): void } {
  const factory = options.factory ?? ((url: string): EventSourceLike => new EventSource(url));
  const backoff = options.backoff ?? [500, 1000, 2000, 5000, 10_000];
  const setTimer = options.setTimer ?? ((fn, ms) => setTimeout(fn, ms));
  const clearTimer =
    options.clearTimer ?? ((handle) => clearTimeout(handle as ReturnType<typeof setTimeout>));
  let source: EventSourceLike | undefined;
  let timer: unknown;
  let failures = 0;
  let closed = false;
  // The server's last `id:`: everything up to it was written. Only the last event of a flush
  // carries one, so a connection cut inside a flush resumes here, not after the highest event
  // applied (a joined output event's earlier chunks are numbered below it).
  let watermark = 0;

  const connect = () => {
    timer = undefined;
    const since = watermark > 0 ? watermark : options.lastSeq();
    const url = withQuery('/api/events', { run: runId, since });
    const es = factory(url);
    source = es;
    es.onopen = () => {
      failures = 0;
      handlers.onStatus?.('open');
    };
    es.onerror = () => {
      if (closed || source !== es) return;
      if (es.readyState === CLOSED) {
        es.close();
        const delay = backoff[Math.min(failures, backoff.length - 1)] ?? 5000;
        failures++;
        handlers.onStatus?.('reconnecting');
        timer = setTimer(connect, delay);
      } else {
        handlers.onStatus?.('reconnecting'); // the browser retries on its own
      }
    };
    for (const type of RUN_EVENT_TYPES) {
      es.addEventListener(type, (message) => {
        if (source !== es) return;
        const event = parseEvent(message.data);
        if (!event) return;
        // the event's own seq first: a replay sends `id:` only on its last event, and the
        // browser's lastEventId then still holds an older id
        const id = Number(message.lastEventId);
        const seq =
          typeof event.seq === 'number'
            ? event.seq
            : message.lastEventId !== '' && Number.isFinite(id)
              ? id
              : undefined;
        handlers.onEvent(event, seq);
        if (message.lastEventId !== '' && Number.isSafeInteger(id) && id > watermark)
          watermark = id;
      });
    }
    es.addEventListener('reset', (message) => {
      if (source !== es) return;
      let seq: number | undefined;
      try {
        const data = JSON.parse(message.data) as { seq?: unknown };
        if (typeof data.seq === 'number') seq = data.seq;
      } catch {
        // a reset without data: re-read all the same
      }
      const id = Number(message.lastEventId);
      if (message.lastEventId !== '' && Number.isSafeInteger(id) && id > watermark) watermark = id;
      handlers.onReset(seq);
    });
  };

  connect();
  return {
    close() {
      closed = true;
      if (timer !== undefined) clearTimer(timer);
      source?.close();
      source = undefined;
      handlers.onStatus?.('closed');
    },
  };
}

function parseEvent(data: string): (RunEvent & { seq?: number }) | undefined {
  try {
    const value = JSON.parse(data) as RunEvent & { seq?: number };
    return typeof value === 'object' && value !== null && typeof value.type === 'string'
      ? value
      : undefined;
  } catch {
    return undefined;
  }
}
