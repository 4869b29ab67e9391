/**
 * The longest time limit: Node fires a timer longer than 2^31 - 1 ms at once (with a warning),
 * so a longer limit would mean "time out now". About 24.8 days.
 */
export const MAX_TIME_LIMIT_MS = 2_147_483_647;

/**
 * Why `ms` is not a time limit (`timeoutMs` of a session class or of a run, a run's
 * `runTimeoutMs`: `field` names it), or undefined when it is one: a whole number of
 * milliseconds from 1 to MAX_TIME_LIMIT_MS.
 */
export function timeLimitProblem(ms: unknown, field = 'timeoutMs'): string | undefined {
  if (Number.isInteger(ms) && (ms as number) >= 1 && (ms as number) <= MAX_TIME_LIMIT_MS)
    return undefined;
  return `${field} must be a whole number of milliseconds from 1 to ${MAX_TIME_LIMIT_MS} (24.8 days; got ${String(ms)})`;
}

/**
 * A session's time limit as people write it: whole hours as `2 h`, whole minutes as `30 min`,
 * anything else in seconds (`90 s`, `1.5 s`). One wording for the CLI, the web admin and the
 * message a timed-out session leaves.
 */
export function timeLimitText(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000} h`;
  if (ms % 60_000 === 0) return `${ms / 60_000} min`;
  return `${ms / 1000} s`;
}

const UNIT_MS: Readonly<Record<string, number>> = {
  '': 1000,
  s: 1000,
  sec: 1000,
  m: 60_000,
  min: 60_000,
  h: 3_600_000,
};

/**
 * A time limit as people type it (`--timeout 30m`, the run dialog's field): a number of seconds
 * (`90`), or a number and a unit: `s`, `m`/`min`, `h` (`1.5s`, `30 min`, `2h`). Returns the
 * milliseconds, or why the text is not a limit, in words to show next to the field.
 *
 * @example
 *   parseTimeLimit('30m'); // { ms: 1_800_000 }
 *   parseTimeLimit('0'); // { error: 'a time limit must be more than 0 (got "0")' }
 */
export function parseTimeLimit(text: string): { ms: number } | { error: string } {
  const match = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/.exec(text.trim().toLowerCase());
  const unit = match ? UNIT_MS[match[2] ?? ''] : undefined;
  if (!match || unit === undefined)
    return {
      error: `"${text}" is not a time limit: write 90s, 30m or 2h (a bare number is seconds)`,
    };
  const ms = Math.round(Number(match[1]) * unit);
  if (ms < 1) return { error: `a time limit must be more than 0 (got "${text}")` };
  if (ms > MAX_TIME_LIMIT_MS)
    return { error: `a time limit must be at most 596 h, 24.8 days (got "${text}")` };
  return { ms };
}
