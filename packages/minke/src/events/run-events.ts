import type { MessageKind, MessageLevel } from '../session/messages.js';
import type { ProcessState, SessionResult } from '../session/status.js';

/** Counters of a run's session records, as the original's session summary. */
export type { SessionSummary as RunSummary } from '../runs/history.js';

import type { SessionSummary as RunSummary } from '../runs/history.js';

interface Base {
  runId: number;
  /** ISO-8601 time the event happened. */
  at: string;
}

/**
 * Everything that happens in a run, as one discriminated union: the bus, the SSE stream and the
 * CLI all speak it (STYLE habit 6).
 */
export type RunEvent =
  | (Base & { type: 'run.started'; session: string; model: string; total: number })
  | (Base & {
      type: 'session.state';
      recordId: number;
      objectId: number;
      objectLabel: string;
      hostName: string | null;
      processState: ProcessState;
      result: SessionResult | null;
    })
  | (Base & { type: 'command.started'; recordId: number; command: string })
  | (Base & {
      type: 'output';
      recordId: number;
      stream: 'stdout' | 'stderr';
      chunk: string;
      /** Characters left out before this chunk to keep live views bounded (the full output is
       * in the output store). */
      skipped?: number;
    })
  | (Base & {
      type: 'command.finished';
      recordId: number;
      command: string;
      exitCode: number | null;
      status: SessionResult;
      durationMs: number;
    })
  | (Base & {
      type: 'message.added';
      recordId: number;
      level: MessageLevel;
      kind: MessageKind;
      text: string;
    })
  | (Base & {
      type: 'session.finished';
      recordId: number;
      objectId: number;
      objectLabel: string;
      hostName: string | null;
      processState: ProcessState;
      result: SessionResult | null;
      durationMs: number | null;
    })
  | (Base & { type: 'run.finished'; summary: RunSummary });

export type RunEventType = RunEvent['type'];
export type RunEventOf<T extends RunEventType> = Extract<RunEvent, { type: T }>;

/** An event as delivered: with the bus's sequence number, for resuming a stream. */
export type DeliveredEvent = RunEvent & { seq: number };
