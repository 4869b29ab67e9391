import type { EventBus, EventFilter, EventHandler } from '../../events/event-bus.js';
import { MemoryEventBus } from '../../events/memory-event-bus.js';
import type { DeliveredEvent, RunEvent } from '../../events/run-events.js';

/**
 * The session thread's bus: each event goes to this thread's own subscribers (a rollout steps on
 * `session.finished`) and, gathered for one turn of the event loop, to the server's thread in one
 * message, where the server's bus numbers it and live views get it. A 1,000-host run prints
 * thousands of lines a second: one message per turn, not per line.
 */
export class ForwardingEventBus implements EventBus {
  private readonly local: MemoryEventBus;
  private pending: RunEvent[] = [];
  private flush: NodeJS.Immediate | undefined;

  constructor(
    private readonly forward: (events: RunEvent[]) => void,
    onHandlerError: (error: unknown) => void,
  ) {
    this.local = new MemoryEventBus({ capacity: 1000, onHandlerError });
  }

  publish(event: RunEvent): void {
    this.pending.push(event);
    this.flush ??= setImmediate(() => this.flushNow());
    this.local.publish(event);
  }

  /** Sends what waits now (before the thread says it is done or closes). */
  flushNow(): void {
    if (this.flush) clearImmediate(this.flush);
    this.flush = undefined;
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
