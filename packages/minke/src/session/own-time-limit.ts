import { timeLimitText } from '@minke/contract/time-limit';
import type { SessionContext } from './session-context.js';

/**
 * What a timed-out session's record says: whose limit passed (`the session's`, `the run's`,
 * `Deploy's` for a chained session) and what happened to it.
 */
export function timedOutText(whose: string, ms: number): string {
  return `timed out: ${whose} limit is ${timeLimitText(ms)}; it was stopped and its running command killed`;
}

/** A part of a session that has a time limit of its own, and whether it passed. */
export interface OwnTimeLimit {
  /** The context to run the part with: its stop and kill also fire when the limit passes. */
  readonly context: SessionContext;
  /** True once the limit passed (not when a user's stop came first). */
  readonly passed: boolean;
  /** The limit, for the message that says it passed. */
  readonly ms: number;
  clear(): void;
}

/**
 * A time limit for one part of a session (a `SessionChain`'s chained session): past `ms`, that
 * part is stopped and its running command killed, both at once, as the whole session's limit
 * does; the session itself goes on. A stop of the whole session still reaches the part.
 */
export function ownTimeLimit(context: SessionContext, ms: number): OwnTimeLimit {
  const own = new AbortController();
  const limit = {
    context: {
      ...context,
      stopSignal: AbortSignal.any([context.stopSignal, own.signal]),
      killSignal: AbortSignal.any([context.killSignal, own.signal]),
    },
    passed: false,
    ms,
    clear: () => clearTimeout(timer),
  };
  const timer = setTimeout(() => {
    if (context.stopSignal.aborted) return; // the whole session's stop came first: it stays that
    limit.passed = true;
    own.abort();
  }, ms);
  return limit;
}
