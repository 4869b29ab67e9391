import type { DeliveredEvent, RunEvent } from './run-events.js';

export type EventHandler = (event: DeliveredEvent) => void;

export interface EventFilter {
  runId?: number;
}

/**
 * The run event bus. In-memory when embedded; a distributed bus (Redis pub/sub, PostgreSQL
 * LISTEN/NOTIFY) implements the same interface.
 */
export interface EventBus {
  publish(event: RunEvent): void;
  /** Calls `handler` for each event that matches; returns the function that unsubscribes. */
  subscribe(handler: EventHandler, filter?: EventFilter): () => void;
  /** Events after `seq` still held by the bus (for a client that reconnects). */
  since(seq: number, filter?: EventFilter): DeliveredEvent[];
  close(): Promise<void>;
}
