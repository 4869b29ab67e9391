import type { EventBus, EventFilter, EventHandler } from '../../events/event-bus.js';
import { MemoryEventBus } from '../../events/memory-event-bus.js';
import type { DeliveredEvent, RunEvent } from '../../events/run-events.js';

/**
 * The session thread's bus: each event goes to this thread's own subscribers (a rollout steps on
 * `session.finished`) and to the server's thread, where the server's bus numbers it and live views
 * get it. What one callback publishes (the lines of one packet, a command's end and its session's)
 * goes in one message, sent as soon as that callback is done.
 *
 * Not once per turn of the event loop: with a thousand connections on 2 cores one turn (a pass
 * over every socket that is ready) took up to 1.8 s, and the events of its first callbacks waited
 * for the last (event → browser p95 0.8–1.7 s in `bench api`; 0.13–0.18 s sent per callback).
 */
export class ForwardingEventBus implements EventBus {
  private readonly local: MemoryEventBus;
  private pending: RunEvent[] = [];

  constructor(
    private readonly forward: (events: RunEvent[]) => void,
    onHandlerError: (error: unknown) => void,
  ) {
    this.local = new MemoryEventBus({ capacity: 1000, onHandlerError });
  }

  publish(event: RunEvent): void {
    // Microtasks run when the callback that published is done, before the next callback.
    if (this.pending.push(event) === 1) queueMicrotask(() => this.flushNow());
    this.local.publish(event);
  }

  /** Sends what waits now (before the thread says it is done or closes). */
  flushNow(): void {
    if (this.pending.length === 0) return;
    const events = this.pending;
    this.pending = [];
    this.forward(events);
  }

  subscribe(handler: EventHandler, filter?: EventFilter): () => void {
    return this.local.subscribe(handler, filter);
  }

  since(seq: number, filter?: EventFilter): DeliveredEvent[] {
    return this.local.since(seq, filter);
  }

  history(seq: number, filter?: EventFilter): Promise<DeliveredEvent[]> {
    return this.local.history(seq, filter);
  }

  ready(): Promise<void> {
    return Promise.resolve();
  }

  async close(): Promise<void> {
    this.flushNow();
    await this.local.close();
  }
}
