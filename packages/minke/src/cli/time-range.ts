import type { Command } from 'commander';
import { parseDateOrAge } from '../runs/purge-age.js';

export interface TimeRangeFlags {
  since?: string | undefined;
  until?: string | undefined;
}

/**
 * `--since` and `--until` as every command that reads a period takes them: a date
 * (`2026-01-31`, `2026-01-31T12:00:00Z`) or an age ago (`12h`, `2d`, `1w`, `6m` months, `1y`),
 * so that `--since 2d` means the same in the history, the audit log and the fact series.
 *
 * @example
 *   addTimeRange(command, { what: 'created', sinceDefault: '30d' });
 */
export function addTimeRange(
  command: Command,
  described: { what: string; sinceDefault?: string; untilDefault?: string },
): Command {
  const defaultOf = (value: string | undefined) =>
    value === undefined ? '' : ` (default ${value})`;
  return command
    .option(
      '--since <when>',
      `${described.what} at or after a date (2026-01-31, 2026-01-31T12:00:00Z) or an age ago (12h, 2d, 1w, 6m, 1y)${defaultOf(described.sinceDefault)}`,
    )
    .option(
      '--until <when>',
      `${described.what} before a date or an age ago${defaultOf(described.untilDefault)}`,
    );
}

/** The flags as moments; an unknown form is an input error naming the flag and the forms. */
export function timeRangeOf(
  flags: TimeRangeFlags,
  now: Date = new Date(),
): { since: Date | undefined; until: Date | undefined } {
  return {
    since: flags.since === undefined ? undefined : parseDateOrAge(flags.since, '--since', now),
    until: flags.until === undefined ? undefined : parseDateOrAge(flags.until, '--until', now),
  };
}

/** The same as ISO-8601 texts, as the API takes them. */
export function isoTimeRangeOf(
  flags: TimeRangeFlags,
  now: Date = new Date(),
): { since: string | undefined; until: string | undefined } {
  const { since, until } = timeRangeOf(flags, now);
  return { since: since?.toISOString(), until: until?.toISOString() };
}
