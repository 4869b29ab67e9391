import { UsageError } from './cli-error.js';

/** A flag that takes a whole number (`--offset`, `--run`, `--days`); anything else is an input error. */
export function parseCount(text: string, flag: string): number {
  if (!/^\d+$/.test(text)) throw new UsageError(`${flag} "${text}": expected a whole number`);
  return Number(text);
}

/** How many rows to show (`--limit`): a whole number of at least 1. */
export function parseLimit(text: string, flag = '--limit'): number {
  const limit = parseCount(text, flag);
  if (limit < 1) throw new UsageError(`${flag} "${text}": expected a whole number of at least 1`);
  return limit;
}

/** An id typed as an argument (a run's, a record's): a whole number of at least 1. */
export function parseId(text: string, what: string): number {
  if (!/^\d+$/.test(text) || Number(text) < 1)
    throw new UsageError(`${what} "${text}": expected a whole number of at least 1`);
  return Number(text);
}
