import { z } from 'zod';
import { isDone, type ProcessState, type SessionResult } from './states.js';

/** Counters of a run's session records, as the original's session summary. */
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
  };
  for (const { processState, result, count = 1 } of counts) {
    summary.all += count;
    if (processState === 'initialized') summary.waiting += count;
    else if (isDone(processState)) summary.done += count;
    else summary.running += count;
    if (result) summary[result] += count;
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
