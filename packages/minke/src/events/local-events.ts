import type { EventFilter, EventHandler } from './event-bus.js';
import type { DeliveredEvent, RunEvent } from './run-events.js';

export function matchesFilter(event: RunEvent, filter: EventFilter | undefined): boolean {
  return filter?.runId === undefined || event.runId === filter.runId;
}

/**
 * What every bus keeps in its own process: the subscribed handlers and the last `capacity`
 * events delivered, so `since` answers synchronously and a client that reconnects can resume. A
 * handler that throws is reported and the other handlers still get the event.
 */
export class LocalEvents {
  private readonly handlers = new Set<{ handler: EventHandler; filter: EventFilter | undefined }>();
  private readonly recent: DeliveredEvent[] = [];

  constructor(
    private readonly capacity: number,
    private readonly onHandlerError: (error: unknown) => void,
  ) {}

  /** How many handlers are subscribed (an event stream that closed must have left). */
  get subscribers(): number {
    return this.handlers.size;
  }

  subscribe(handler: EventHandler, filter?: EventFilter): () => void {
    const entry = { handler, filter };
    this.handlers.add(entry);
    return () => this.handlers.delete(entry);
  }

  since(seq: number, filter?: EventFilter): DeliveredEvent[] {
    return this.recent.filter((event) => event.seq > seq && matchesFilter(event, filter));
  }

  /** Keeps the event and hands it to every handler whose filter it matches. */
  deliver(event: DeliveredEvent): void {
    this.remember([event]);
    for (const { handler, filter } of this.handlers) {
      if (!matchesFilter(event, filter)) continue;
      try {
        handler(event);
      } catch (error) {
        this.onHandlerError(error);
      }
    }
  }

  /** Keeps events without delivering them (read back from a shared log at start). */
  remember(events: readonly DeliveredEvent[]): void {
    this.recent.push(...events);
    if (this.recent.length > this.capacity)
      this.recent.splice(0, this.recent.length - this.capacity);
  }

  /** Drops the events kept (their numbers no longer mean anything). */
  forget(): void {
    this.recent.length = 0;
  }

  unsubscribeAll(): void {
    this.handlers.clear();
  }
}

/**
 * Reads a shared log page by page after `seq`, at most as many pages as the log can hold (plus
 * two for what arrives meanwhile), so a growing log cannot keep the reader going forever.
 */
export async function readLogAfter(
  seq: number,
  maxLen: number,
  readPage: (after: number, pageSize: number) => Promise<DeliveredEvent[]>,
): Promise<DeliveredEvent[]> {
  const out: DeliveredEvent[] = [];
  const pageSize = 1000;
  const pages = Math.ceil(maxLen / pageSize) + 2;
  let after = seq;
  for (let page = 0; page < pages; page++) {
    const events = await readPage(after, pageSize);
    out.push(...events);
    const last = events.at(-1);
    if (events.length < pageSize || last === undefined) break;
    after = last.seq;
  }
  return out;
}
