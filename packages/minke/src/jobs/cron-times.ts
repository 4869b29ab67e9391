import { Cron } from 'croner';
import { InputError } from '../errors.js';

/** A schedule's timing: a cron expression read in a time zone, and an optional end. */
export interface CronSpec {
  cron: string;
  timezone: string;
  /** No tick at or after this time (ISO 8601). */
  endAt: string | null;
}

/** More than this many ticks between two times is counted, not listed (a bound on every walk). */
const MAX_WALK = 1000;

/**
 * The cron expression as croner reads it (5 fields, or 6 with seconds first, the shape BullMQ's
 * job schedulers read too), or an InputError that says what is wrong with it.
 *
 * @example parseCron({ cron: '0 2 * * *', timezone: 'Europe/Berlin', endAt: null })
 */
export function parseCron(spec: CronSpec): Cron {
  checkTimezone(spec.timezone);
  if (spec.endAt !== null && Number.isNaN(Date.parse(spec.endAt)))
    throw new InputError(`end date "${spec.endAt}": expected an ISO 8601 date and time`, {
      fields: { 'schedule.endAt': 'not a date' },
    });
  try {
    return new Cron(spec.cron, {
      timezone: spec.timezone,
      mode: '5-or-6-parts',
      paused: true,
      ...(spec.endAt === null ? {} : { stopAt: new Date(spec.endAt) }),
    });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new InputError(`cron expression "${spec.cron}": ${reason}`, {
      fields: { 'schedule.cron': reason },
    });
  }
}

function checkTimezone(timezone: string): void {
  try {
    new Intl.DateTimeFormat('en', { timeZone: timezone });
  } catch {
    throw new InputError(`time zone "${timezone}": not an IANA time zone such as Europe/Berlin`, {
      fields: { 'schedule.timezone': 'unknown time zone' },
    });
  }
}

/**
 * Parsed expressions for computing times (never scheduled: the scheduler parses its own). A
 * croner pattern is large (a year table per expression) and slow to build, and the same few
 * expressions come back at every listing.
 */
const computing = new Map<string, Cron>();
const MAX_CACHED = 2000;

/** A parsed expression to compute times with (shared; never call `schedule` on it). */
export function cronFor(spec: CronSpec): Cron {
  const key = `${spec.cron}|${spec.timezone}|${spec.endAt ?? ''}`;
  const cached = computing.get(key);
  if (cached) return cached;
  const cron = parseCron(spec);
  if (computing.size >= MAX_CACHED) computing.delete(computing.keys().next().value as string);
  computing.set(key, cron);
  return cron;
}

/** The next `count` times after `from` (at most), as ISO strings. */
export function nextTimes(spec: CronSpec, count = 5, from: Date = new Date()): string[] {
  return cronFor(spec)
    .nextRuns(count, from)
    .map((date) => date.toISOString());
}

/**
 * The ticks due after `after` and at or before `until`: how many, and the newest. Counting stops
 * at a bound, so a schedule of every second down for a month costs a bounded walk.
 */
export function ticksBetween(
  spec: CronSpec,
  after: Date,
  until: Date,
): { count: number; newest: Date | null; capped: boolean } {
  const cron = cronFor(spec);
  let count = 0;
  let newest: Date | null = null;
  let cursor: Date | null = cron.nextRun(after);
  while (cursor !== null && cursor.getTime() <= until.getTime()) {
    count++;
    newest = cursor;
    if (count >= MAX_WALK) {
      const last = cron.previousRuns(1, new Date(until.getTime() + 1))[0] ?? cursor;
      return { count, newest: last, capped: true };
    }
    cursor = cron.nextRun(cursor);
  }
  return { count, newest, capped: false };
}
