import type { DeliveredEvent, RunEvent } from './run-events.js';

export type EventHandler = (event: DeliveredEvent) => void;

export interface EventFilter {
  runId?: number;
}

/**
 * The run event bus. In-memory when embedded; a distributed bus (Redis pub/sub, PostgreSQL
 * LISTEN/NOTIFY) implements the same interface. Sequence numbers grow across every process that
 * shares a bus, so a client may resume on any server.
 */
export interface EventBus {
  publish(event: RunEvent): void;
  /** Calls `handler` for each event that matches; returns the function that unsubscribes. */
  subscribe(handler: EventHandler, filter?: EventFilter): () => void;
  /**
   * Events after `seq` held by this process (for a client that reconnects). Synchronous, so a
   * caller can replay and subscribe in one step with no event falling between them.
   */
  since(seq: number, filter?: EventFilter): DeliveredEvent[];
  /**
   * Events after `seq` from the bus's shared log: on a distributed bus this reaches events from
   * before this process started (as far back as the log is kept); in memory it is `since`.
   */
  history(seq: number, filter?: EventFilter): Promise<DeliveredEvent[]>;
  /** Resolves once the bus delivers events (a distributed bus has connected and subscribed). */
  ready(): Promise<void>;
  close(): Promise<void>;
}
