import type { EventSourceLike } from './event-stream.js';

/** An EventSource stand-in for unit tests: the test pushes events and errors by hand. */
export class FakeEventSource implements EventSourceLike {
  static instances: FakeEventSource[] = [];
  readyState = 0;
  onerror: ((event: Event) => void) | null = null;
  onopen: ((event: Event) => void) | null = null;
  private readonly listeners = new Map<string, ((event: MessageEvent<string>) => void)[]>();

  constructor(readonly url: string) {
    FakeEventSource.instances.push(this);
  }

  addEventListener(type: string, listener: (event: MessageEvent<string>) => void): void {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), listener]);
  }

  close(): void {
    this.readyState = 2;
  }

  open(): void {
    this.readyState = 1;
    this.onopen?.({} as Event);
  }

  emit(type: string, data: unknown, id?: number): void {
    const event = {
      data: JSON.stringify(data),
      lastEventId: id === undefined ? '' : String(id),
    } as MessageEvent<string>;
    for (const listener of this.listeners.get(type) ?? []) listener(event);
  }

  /** The connection dropped; `fatal` means the browser gave up (HTTP error). */
  fail(fatal: boolean): void {
    this.readyState = fatal ? 2 : 0;
    this.onerror?.({} as Event);
  }

  static reset(): void {
    FakeEventSource.instances = [];
  }
}
