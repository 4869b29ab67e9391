import { describe, expect, it } from 'vitest';
import { isAtBottom, scrollTopFor, visibleRange } from './virtual-window.js';

describe('visibleRange', () => {
  it('renders the visible rows plus overscan', () => {
    const range = visibleRange({
      scrollTop: 1800,
      viewportHeight: 360,
      rowHeight: 18,
      count: 40_000,
      overscan: 5,
    });
    expect(range).toEqual({ start: 95, end: 126, offsetTop: 95 * 18, totalHeight: 720_000 });
  });

  it('clamps at both ends and never renders more than a screenful for 40,000 rows', () => {
    const top = visibleRange({ scrollTop: -50, viewportHeight: 400, rowHeight: 20, count: 40_000 });
    expect(top.start).toBe(0);
    const bottom = visibleRange({
      scrollTop: 10_000_000,
      viewportHeight: 400,
      rowHeight: 20,
      count: 40_000,
    });
    expect(bottom.end).toBe(40_000);
    expect(bottom.end - bottom.start).toBeLessThanOrEqual(400 / 20 + 1 + 10);
  });

  it('handles empty lists and short lists', () => {
    expect(visibleRange({ scrollTop: 0, viewportHeight: 300, rowHeight: 18, count: 0 })).toEqual({
      start: 0,
      end: 0,
      offsetTop: 0,
      totalHeight: 0,
    });
    const short = visibleRange({ scrollTop: 0, viewportHeight: 300, rowHeight: 18, count: 3 });
    expect([short.start, short.end]).toEqual([0, 3]);
  });
});

describe('isAtBottom / scrollTopFor', () => {
  it('knows when the last row shows', () => {
    expect(isAtBottom(700, 300, 1000)).toBe(true);
    expect(isAtBottom(600, 300, 1000)).toBe(false);
  });
  it('scrolls as little as needed to show a row', () => {
    expect(scrollTopFor(10, 0, 100, 20)).toBe(120);
    expect(scrollTopFor(2, 100, 100, 20)).toBe(40);
    expect(scrollTopFor(6, 100, 100, 20)).toBe(100);
  });
});
