import { InputError } from '../errors.js';

/** The units of an age: hours, days, weeks, calendar months and calendar years. */
export const AGE_UNITS = ['h', 'd', 'w', 'm', 'y'] as const;
export type AgeUnit = (typeof AGE_UNITS)[number];

const agePattern = /^(\d{1,6})([hdwmy])$/;

/**
 * The moment an age ago: `6m` is six calendar months before `now`, `2w` two weeks, `30d` thirty
 * days, `12h` twelve hours, `1y` one calendar year. A month or year that lacks the day (31 March
 * minus one month) gives the last day of the month, as the original's `relativedelta` did.
 *
 * @example
 *   parseAge('1m', { now: new Date('2026-03-31T12:00:00Z') }); // 2026-02-28T12:00:00Z
 */
export function parseAge(text: string, options: { flag?: string; now?: Date } = {}): Date {
  const flag = options.flag ?? '--older-than';
  const match = agePattern.exec(text.trim().toLowerCase());
  if (!match) {
    throw new InputError(`${flag} "${text}": use a number and a unit: h, d, w, m (months) or y`);
  }
  const amount = Number(match[1]);
  const date = ageBefore(options.now ?? new Date(), amount, match[2] as AgeUnit);
  if (Number.isNaN(date.getTime())) throw new InputError(`${flag} "${text}": that is too long ago`);
  return date;
}

/**
 * A point in time given as an ISO date (`2026-01-31`, `2026-01-31T08:00:00Z`) or as an age
 * (`2d`: two days ago), for `--since` and `--until`.
 */
export function parseDateOrAge(text: string, flag: string, now: Date = new Date()): Date {
  if (agePattern.test(text.trim().toLowerCase())) return parseAge(text, { flag, now });
  const date = /^\d{4}-\d{2}-\d{2}/.test(text) ? new Date(text) : new Date(Number.NaN);
  if (Number.isNaN(date.getTime())) {
    throw new InputError(
      `${flag} "${text}": use a date (2026-01-31 or 2026-01-31T08:00:00Z) or an age (12h, 2d, 1w, 6m, 1y)`,
    );
  }
  return date;
}

function ageBefore(now: Date, amount: number, unit: AgeUnit): Date {
  const date = new Date(now.getTime());
  switch (unit) {
    case 'h':
      return new Date(now.getTime() - amount * 3_600_000);
    case 'd':
      date.setUTCDate(date.getUTCDate() - amount);
      return date;
    case 'w':
      date.setUTCDate(date.getUTCDate() - 7 * amount);
      return date;
    case 'm':
      return monthsBefore(now, amount);
    case 'y':
      return monthsBefore(now, 12 * amount);
  }
}

/** Calendar months back, keeping the time of day; the day is clamped to the target month. */
function monthsBefore(now: Date, months: number): Date {
  const total = now.getUTCFullYear() * 12 + now.getUTCMonth() - months;
  const year = Math.floor(total / 12);
  const month = total - year * 12;
  const lastDay = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  const date = new Date(now.getTime());
  date.setUTCFullYear(year, month, Math.min(now.getUTCDate(), lastDay));
  return date;
}
