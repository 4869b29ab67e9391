import type { EventBus, EventFilter, EventHandler } from './event-bus.js';
import type { DeliveredEvent, RunEvent } from './run-events.js';

/**
 * A bus whose implementation is still loading (its client library is imported on demand, so
 * processes that do not use it do not pay for it). Subscriptions and events made meanwhile are
 * handed over, in order, once it is there.
 */
export class DeferredEventBus implements EventBus {
  private inner: EventBus | undefined;
  private readonly early: RunEvent[] = [];
  private readonly waiting = new Map<object, { handler: EventHandler; filter?: EventFilter }>();
  private readonly unsubscribers = new Map<object, () => void>();
  private readonly loaded: Promise<EventBus>;

  constructor(load: Promise<EventBus>) {
    this.loaded = load.then((bus) => {
      this.inner = bus;
      for (const [key, { handler, filter }] of this.waiting)
        this.unsubscribers.set(key, bus.subscribe(handler, filter));
      this.waiting.clear();
      for (const event of this.early.splice(0)) bus.publish(event);
      return bus;
    });
    this.loaded.catch(() => undefined);
  }

  publish(event: RunEvent): void {
    if (this.inner) this.inner.publish(event);
    else this.early.push(event);
  }

  subscribe(handler: EventHandler, filter?: EventFilter): () => void {
    if (this.inner) return this.inner.subscribe(handler, filter);
    const key = {};
    this.waiting.set(key, filter === undefined ? { handler } : { handler, filter });
    return () => {
      this.waiting.delete(key);
      this.unsubscribers.get(key)?.();
      this.unsubscribers.delete(key);
    };
  }

  since(seq: number, filter?: EventFilter): DeliveredEvent[] {
    return this.inner?.since(seq, filter) ?? [];
  }

  async history(seq: number, filter?: EventFilter): Promise<DeliveredEvent[]> {
    return (await this.loaded).history(seq, filter);
  }

  async ready(): Promise<void> {
    await (await this.loaded).ready();
  }

  async close(): Promise<void> {
    this.waiting.clear();
    const bus = await this.loaded.catch(() => undefined);
    await bus?.close();
  }
}
