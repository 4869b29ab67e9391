import { describe, expect, it } from 'vitest';
import { rowWindow } from './row-window.js';

const even = (count: number, rest: Partial<Parameters<typeof rowWindow>[0]> = {}) =>
  rowWindow({
    count,
    height: () => undefined,
    estimate: 40,
    viewTop: 0,
    viewBottom: 400,
    overscan: 0,
    ...rest,
  });

describe('rowWindow', () => {
  it('renders the rows in view and stands in for the others with their height', () => {
    expect(even(1000, { viewTop: 4000, viewBottom: 4400 })).toEqual({
      start: 100,
      end: 110,
      before: 4000,
      after: 890 * 40,
    });
  });

  it('adds overscan rows beyond each edge, within the list', () => {
    expect(even(1000, { viewTop: 4000, viewBottom: 4400, overscan: 5 })).toMatchObject({
      start: 95,
      end: 115,
    });
    expect(even(1000, { overscan: 5 })).toMatchObject({ start: 0, end: 15, before: 0 });
  });

  it('uses measured heights: a tall open row pushes the rows below it down', () => {
    const heights = new Map([[2, 400]]);
    const window = even(100, { height: (i) => heights.get(i), viewTop: 480, viewBottom: 880 });
    // rows 0-1 (80 px), row 2 (400 px) end at 480: row 3 is the first in view
    expect(window).toMatchObject({ start: 3, end: 13, before: 480 });
  });

  it('shows the first rows when the list is below the view, the last when above it', () => {
    expect(even(50, { viewTop: -900, viewBottom: -500, overscan: 3 })).toMatchObject({
      start: 0,
      end: 4,
    });
    expect(even(50, { viewTop: 9000, viewBottom: 9400, overscan: 3 })).toMatchObject({
      start: 46,
      end: 50,
      after: 0,
    });
  });

  it('renders nothing for an empty list', () => {
    expect(even(0)).toEqual({ start: 0, end: 0, before: 0, after: 0 });
  });
});
