import type { Command } from 'commander';
import { UsageError } from './cli-error.js';
import { parseCount, parseLimit } from './count-flags.js';

/** `--limit` and `--offset` as commander hands them over (text, their defaults filled in). */
export interface PageFlags {
  limit: string;
  offset: string;
}

export interface PageWindow {
  limit: number;
  offset: number;
}

/**
 * `--limit` and `--offset` of a command that pages through what it lists (hosts, records, the
 * history): `--limit 50 --offset 100` shows rows 101 to 150.
 */
export function addPageFlags(command: Command, defaultLimit: string): Command {
  return command
    .option('--limit <n>', 'how many', defaultLimit)
    .option('--offset <n>', 'skip this many', '0');
}

/** The window the flags ask for; a bad number is an input error naming its flag. */
export function pageWindowOf(flags: PageFlags): PageWindow {
  return { limit: parseLimit(flags.limit), offset: parseCount(flags.offset, '--offset') };
}

/**
 * `--limit` and `--offset` of a log read newest first (the audit log, the delivery log), where a
 * page is what one request to the API returns: at most 1000 rows.
 */
export function addNewestFirstPageFlags(command: Command): Command {
  return command
    .option('--limit <n>', 'at most this many rows', '50')
    .option('--offset <n>', 'skip this many of the newest rows', '0');
}

/** The window of a newest-first log; a `--limit` outside 1 to 1000 is an input error. */
export function newestFirstWindowOf(flags: PageFlags): PageWindow {
  const limit = parseCount(flags.limit, '--limit');
  if (limit < 1 || limit > 1000)
    throw new UsageError(`--limit "${flags.limit}": expected a whole number from 1 to 1000`);
  return { limit, offset: parseCount(flags.offset, '--offset') };
}

/** `(50 of 120; next page: --offset 100)` under a page that is not the last; null under the last. */
export function nextPageLine(page: {
  items: readonly unknown[];
  total: number;
  offset: number;
}): string | null {
  const shown = page.offset + page.items.length;
  return page.total > shown
    ? `(${page.items.length} of ${page.total}; next page: --offset ${shown})`
    : null;
}
