import type { RunDetail, RunEvent, StartedRun, StopOutcome } from '@minke/contract';
import { openRunStream, type EventSourceFactory } from './event-stream.js';
import {
  applyEvent,
  applySnapshot,
  applyStarted,
  applyStopOutcome,
  emptyRun,
  type LiveSession,
  type RunState,
} from './run-state.js';

export type StreamStatus = 'connecting' | 'open' | 'reconnecting' | 'closed';

export interface RunMonitorDeps {
  fetchRun: (id: number) => Promise<RunDetail>;
  /** Calls `fn` soon, once per burst (default: 50 ms timer): views re-render at most that often. */
  schedule?: (fn: () => void) => void;
  factory?: EventSourceFactory;
  backoff?: readonly number[];
  onError?: (error: unknown) => void;
}

/**
 * One run, live: its state (applied from POST /api/runs, GET /api/runs/:id and the event
 * stream) and subscribers. Notifications are batched, so 600 rows and a chatty command cost a
 * render per batch, not per event; each row reads its own `version` and re-renders alone.
 */
export class RunMonitor {
  readonly state: RunState;
  status: StreamStatus = 'connecting';
  /** Bumped once per batch of changes. */
  version = 0;
  private readonly listeners = new Set<() => void>();
  private stream: { close(): void } | undefined;
  private pending = false;
  private readonly schedule: (fn: () => void) => void;

  constructor(
    readonly runId: number,
    private readonly deps: RunMonitorDeps,
  ) {
    this.state = emptyRun(runId);
    this.schedule = deps.schedule ?? ((fn) => void setTimeout(fn, 50));
  }

  /** Starts following: rows from the POST answer when there is one, then the state, then events. */
  start(started?: StartedRun): void {
    if (started) applyStarted(this.state, started);
    this.changed();
    void this.reload(false);
    this.stream = openRunStream(
      this.runId,
      {
        onEvent: (event, seq) => this.onEvent(event, seq),
        onReset: (seq) => {
          if (seq !== undefined) this.state.lastSeq = Math.max(this.state.lastSeq, seq);
          void this.reload(true);
        },
        onStatus: (status) => {
          this.status = status;
          this.changed();
        },
      },
      {
        lastSeq: () => this.state.lastSeq,
        ...(this.deps.factory ? { factory: this.deps.factory } : {}),
        ...(this.deps.backoff ? { backoff: this.deps.backoff } : {}),
      },
    );
  }

  close(): void {
    this.stream?.close();
    this.stream = undefined;
    this.status = 'closed';
    this.changed();
  }

  get active(): boolean {
    return this.stream !== undefined;
  }

  /** Applies what POST …/stop answered for one of this run's records. */
  applyStop(recordId: number, outcome: StopOutcome): void {
    if (applyStopOutcome(this.state, recordId, outcome)) this.changed();
  }

  session(objectId: number): LiveSession | undefined {
    const recordId = this.state.byObject.get(objectId);
    return recordId === undefined ? undefined : this.state.sessions.get(recordId);
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private onEvent(event: RunEvent, seq: number | undefined): void {
    applyEvent(this.state, event, seq);
    this.changed();
    if (event.type === 'run.finished') this.finish();
  }

  private async reload(afterReset: boolean): Promise<void> {
    try {
      const run = await this.deps.fetchRun(this.runId);
      applySnapshot(this.state, run, afterReset);
      this.changed();
      // after a reset the replay is gone: a finished run has nothing more to send
      if (afterReset && this.state.finished) this.finish();
    } catch (error) {
      this.deps.onError?.(error);
    }
  }

  private finish(): void {
    this.stream?.close();
    this.stream = undefined;
    this.status = 'closed';
    this.changed();
  }

  private changed(): void {
    if (this.pending) return;
    this.pending = true;
    this.schedule(() => {
      this.pending = false;
      this.version++;
      for (const listener of [...this.listeners]) listener();
    });
  }
}
