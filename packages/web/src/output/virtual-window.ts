/** The math of a fixed-row-height virtual list: which rows to render for a scroll position. */

export interface WindowInput {
  scrollTop: number;
  viewportHeight: number;
  rowHeight: number;
  count: number;
  /** Rows rendered beyond each edge, so fast scrolling shows no gap. */
  overscan?: number;
}

export interface WindowRange {
  /** First row to render. */
  start: number;
  /** One past the last row to render. */
  end: number;
  /** Top of the first rendered row, in px. */
  offsetTop: number;
  /** Height of the whole list, in px. */
  totalHeight: number;
}

export function visibleRange(input: WindowInput): WindowRange {
  const { rowHeight, count } = input;
  const overscan = input.overscan ?? 10;
  const totalHeight = Math.max(0, count * rowHeight);
  if (count <= 0 || rowHeight <= 0) return { start: 0, end: 0, offsetTop: 0, totalHeight };
  const maxTop = Math.max(0, totalHeight - input.viewportHeight);
  const top = Math.min(Math.max(0, input.scrollTop), maxTop);
  const first = Math.floor(top / rowHeight);
  const visible = Math.ceil(Math.max(0, input.viewportHeight) / rowHeight) + 1;
  const start = Math.max(0, first - overscan);
  const end = Math.min(count, first + visible + overscan);
  return { start, end, offsetTop: start * rowHeight, totalHeight };
}

/** Whether the view shows the last row (within `slack` px): follow mode stays on while it does. */
export function isAtBottom(
  scrollTop: number,
  viewportHeight: number,
  scrollHeight: number,
  slack = 4,
): boolean {
  return scrollTop + viewportHeight >= scrollHeight - slack;
}

/** The scrollTop that brings row `index` into view, moving as little as possible. */
export function scrollTopFor(
  index: number,
  current: number,
  viewportHeight: number,
  rowHeight: number,
): number {
  const top = index * rowHeight;
  const bottom = top + rowHeight;
  if (top < current) return top;
  if (bottom > current + viewportHeight) return Math.max(0, bottom - viewportHeight);
  return current;
}
