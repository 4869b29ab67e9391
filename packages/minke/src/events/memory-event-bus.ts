import type { EventBus, EventFilter, EventHandler } from './event-bus.js';
import { LocalEvents } from './local-events.js';
import type { DeliveredEvent, RunEvent } from './run-events.js';

/**
 * The bus of one process. It keeps the last `capacity` events, so a client that reconnects can
 * resume from the last sequence number it saw. A handler that throws is cut off from nothing:
 * its error is reported and the other handlers still get the event.
 */
export class MemoryEventBus implements EventBus {
  private readonly local: LocalEvents;
  /**
   * Numbers start from the clock (a thousand a millisecond), so a restarted server numbers its
   * events above any of its earlier life. A client that resumes across the restart with an old
   * id is then told to re-read (`reset`) and never skips the new server's events as replays; had
   * both lives counted from 1, a run's last events could carry numbers the client had already
   * seen, and a `minke run --server` following it would wait for an end it had skipped.
   */
  private seq = Date.now() * 1000;

  constructor(options: { capacity?: number; onHandlerError?: (error: unknown) => void } = {}) {
    this.local = new LocalEvents(options.capacity ?? 50_000, (error) =>
      options.onHandlerError?.(error),
    );
  }

  /** How many handlers are subscribed (an event stream that closed must have left). */
  get subscribers(): number {
    return this.local.subscribers;
  }

  publish(event: RunEvent): void {
    this.local.deliver({ ...event, seq: ++this.seq });
  }

  subscribe(handler: EventHandler, filter?: EventFilter): () => void {
    return this.local.subscribe(handler, filter);
  }

  since(seq: number, filter?: EventFilter): DeliveredEvent[] {
    return this.local.since(seq, filter);
  }

  history(seq: number, filter?: EventFilter): Promise<DeliveredEvent[]> {
    return Promise.resolve(this.since(seq, filter));
  }

  ready(): Promise<void> {
    return Promise.resolve();
  }

  close(): Promise<void> {
    this.local.unsubscribeAll();
    return Promise.resolve();
  }
}
