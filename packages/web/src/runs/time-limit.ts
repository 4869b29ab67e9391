import { parseTimeLimit, timeLimitText } from '@minke/contract';

/**
 * A run's time limit per object as the web admin reads it from a field and shows it. The field
 * takes what `minke run --timeout` takes (parseTimeLimit); empty means no limit of the run's own.
 */

/** What the field holds: no limit (empty), a limit in ms, or why the text is not one. */
export type TimeLimitInput = { ms: number | null } | { error: string };

/** Shown under the field while it is valid and nothing more needs saying. */
export const TIME_LIMIT_HINT = 'per object, e.g. 90s, 30m, 2h; empty: none';

/** A field's limit to send or save: null when empty; undefined when it is not a limit. */
export function timeLimitMsOf(text: string): number | null | undefined {
  const input = readTimeLimit(text);
  return 'error' in input ? undefined : input.ms;
}

/** Under the whole run's field. */
export const RUN_LIMIT_HINT = 'the whole run, from its start, e.g. 2h; empty: none';

/** The line under the whole run's field: why the text is not a limit, or the hint. */
export function runLimitHelp(input: TimeLimitInput): string {
  return 'error' in input ? input.error : RUN_LIMIT_HINT;
}

/**
 * The field's text read as a limit.
 *
 * @example
 *   readTimeLimit(' '); // { ms: null }
 *   readTimeLimit('30m'); // { ms: 1_800_000 }
 */
export function readTimeLimit(text: string): TimeLimitInput {
  return text.trim() === '' ? { ms: null } : parseTimeLimit(text);
}

/**
 * The line under the field: why the text is not a limit, that the session's own limit counts
 * (the server keeps the shorter of the two), or the hint.
 */
export function timeLimitHelp(input: TimeLimitInput, sessionMs: number | null | undefined): string {
  if ('error' in input) return input.error;
  if (input.ms !== null && sessionMs && sessionMs < input.ms)
    return `the session's own limit, ${timeLimitText(sessionMs)}, is shorter and counts`;
  return TIME_LIMIT_HINT;
}

/** A limit as pages show it: "Time limit 30 min per object". */
export function perObjectText(ms: number): string {
  return `Time limit ${timeLimitText(ms)} per object`;
}

/** A whole run's limit as its page shows it: "Run limit 2 h". */
export function wholeRunText(ms: number): string {
  return `Run limit ${timeLimitText(ms)}`;
}
