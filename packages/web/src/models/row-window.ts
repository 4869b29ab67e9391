/**
 * The math of a list whose rows have different heights (a row with its panel open is taller):
 * which rows to render for the part of the list in view, and the space above and below them.
 */

export interface RowWindowInput {
  /** Rows in the list. */
  count: number;
  /** A row's height as last measured, or undefined if it was never rendered. */
  height: (index: number) => number | undefined;
  /** Height assumed for rows never measured. */
  estimate: number;
  /** The part of the list in view, in px from the list's top (may be negative or past its end). */
  viewTop: number;
  viewBottom: number;
  /** Rows rendered beyond each edge, so scrolling shows no gap before the next frame. */
  overscan?: number;
}

export interface RowWindow {
  /** First row to render. */
  start: number;
  /** One past the last row to render. */
  end: number;
  /** Space standing in for the rows above `start`, and below `end`, in px. */
  before: number;
  after: number;
}

export function rowWindow(input: RowWindowInput): RowWindow {
  const { count, estimate } = input;
  const overscan = input.overscan ?? 10;
  const heightOf = (index: number) => input.height(index) ?? estimate;
  let top = 0;
  let first = count;
  let last = count;
  for (let index = 0; index < count; index++) {
    const bottom = top + heightOf(index);
    if (first === count && bottom > input.viewTop) first = index;
    if (top >= input.viewBottom) {
      last = index;
      break;
    }
    top = bottom;
  }
  // a view above the list shows its first rows' overscan; one below it, its last rows'
  if (first === count) first = Math.max(0, count - 1);
  const start = Math.max(0, Math.min(first, last) - overscan);
  const end = Math.min(count, Math.max(last, first + 1) + overscan);
  let before = 0;
  for (let index = 0; index < start; index++) before += heightOf(index);
  let after = 0;
  for (let index = end; index < count; index++) after += heightOf(index);
  return { start, end, before, after };
}
