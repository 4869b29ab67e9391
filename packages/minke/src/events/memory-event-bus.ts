import type { EventBus, EventFilter, EventHandler } from './event-bus.js';
import type { DeliveredEvent, RunEvent } from './run-events.js';

function matches(event: RunEvent, filter: EventFilter | undefined): boolean {
  return filter?.runId === undefined || event.runId === filter.runId;
}

/**
 * The bus of one process. It keeps the last `capacity` events, so a client that reconnects can
 * resume from the last sequence number it saw. A handler that throws is cut off from nothing:
 * its error is reported and the other handlers still get the event.
 */
export class MemoryEventBus implements EventBus {
  private readonly handlers = new Set<{ handler: EventHandler; filter: EventFilter | undefined }>();
  private readonly recent: DeliveredEvent[] = [];
  private seq = 0;

  constructor(
    private readonly options: { capacity?: number; onHandlerError?: (error: unknown) => void } = {},
  ) {}

  publish(event: RunEvent): void {
    const delivered: DeliveredEvent = { ...event, seq: ++this.seq };
    this.recent.push(delivered);
    const capacity = this.options.capacity ?? 50_000;
    if (this.recent.length > capacity) this.recent.splice(0, this.recent.length - capacity);
    for (const { handler, filter } of this.handlers) {
      if (!matches(event, filter)) continue;
      try {
        handler(delivered);
      } catch (error) {
        this.options.onHandlerError?.(error);
      }
    }
  }

  subscribe(handler: EventHandler, filter?: EventFilter): () => void {
    const entry = { handler, filter };
    this.handlers.add(entry);
    return () => this.handlers.delete(entry);
  }

  since(seq: number, filter?: EventFilter): DeliveredEvent[] {
    return this.recent.filter((event) => event.seq > seq && matches(event, filter));
  }

  history(seq: number, filter?: EventFilter): Promise<DeliveredEvent[]> {
    return Promise.resolve(this.since(seq, filter));
  }

  ready(): Promise<void> {
    return Promise.resolve();
  }

  close(): Promise<void> {
    this.handlers.clear();
    return Promise.resolve();
  }
}
