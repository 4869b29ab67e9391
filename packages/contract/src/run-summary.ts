import { z } from 'zod';
import { isDone, type ProcessState, type SessionResult } from './states.js';

/** Stopped or canceled: ended from outside or never started, not failed (see `runSummary`). */
export function isStoppedState(state: ProcessState): boolean {
  return state === 'stopped' || state === 'canceled';
}

/**
 * Counters of a run's session records, as the original's session summary, with stopped sessions
 * apart.
 *
 * The rule for `stopped`: a session whose process state is `stopped` or `canceled` counts there
 * and under no result, whatever result its record carries (the server gives such a record
 * `error`: it did not do its work). These are sessions something ended from outside or never
 * started: a person's stop (the web, Ctrl-C, `minke runs stop`), a disabled or busy host, a spent
 * failure budget, an object that reaches no host, the queue or a worker gone before they began
 * (the row's message says which). A session that ran and went wrong is `error`: `failed` (no
 * connection, a lost worker while it ran, an unexpected error) or completed with `error`.
 * So for finished sessions success + warning + error + stopped = done.
 */
export const runSummary = z.object({
  all: z.number(),
  /** initialized */
  waiting: z.number(),
  /** running or stopping */
  running: z.number(),
  /** completed, stopped, canceled or failed */
  done: z.number(),
  success: z.number(),
  warning: z.number(),
  error: z.number(),
  /** stopped or canceled; 0 in events of a server from before this counter */
  stopped: z.number().default(0),
});
export type RunSummary = z.infer<typeof runSummary>;

/** How many sessions are in one (process state, result) pair; `count` defaults to one. */
export interface StateCount {
  processState: ProcessState;
  result: SessionResult | null;
  count?: number;
}

/**
 * The summary of sessions (or of counted groups of them): the server counts rows grouped by
 * state, the web counts the sessions it holds live; both get the same numbers from here.
 */
export function summarize(counts: Iterable<StateCount>): RunSummary {
  const summary: RunSummary = {
    all: 0,
    waiting: 0,
    running: 0,
    done: 0,
    success: 0,
    warning: 0,
    error: 0,
    stopped: 0,
  };
  for (const { processState, result, count = 1 } of counts) {
    summary.all += count;
    if (processState === 'initialized') summary.waiting += count;
    else if (isDone(processState)) summary.done += count;
    else summary.running += count;
    if (isStoppedState(processState)) summary.stopped += count;
    else if (result) summary[result] += count;
  }
  return summary;
}

/**
 * The original's `proc_info`: "waiting...", "running...", "completed in 1.2 seconds",
 * "stopping...", "stopped after 3.0 seconds", "canceled!", "failed!".
 */
export function procInfo(state: ProcessState, durationMs: number | null): string {
  const seconds = durationMs === null ? undefined : (durationMs / 1000).toFixed(1);
  switch (state) {
    case 'initialized':
      return 'waiting...';
    case 'running':
      return 'running...';
    case 'completed':
      return seconds === undefined ? 'completed' : `completed in ${seconds} seconds`;
    case 'stopping':
      return 'stopping...';
    case 'stopped':
      return seconds === undefined ? 'stopped' : `stopped after ${seconds} seconds`;
    case 'canceled':
      return 'canceled!';
    case 'failed':
      return 'failed!';
  }
}
