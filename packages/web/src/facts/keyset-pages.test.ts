import { describe, expect, it } from 'vitest';
import { FIRST_PAGE, currentCursor, movedTo, pageIndex } from './keyset-pages.js';

describe('keyset pages', () => {
  it('goes forward with the last item shown and back to pages already seen', () => {
    const second = movedTo(FIRST_PAGE, 1, 'r10');
    expect([pageIndex(second), currentCursor(second)]).toEqual([1, 'r10']);
    const third = movedTo(second, 2, 'r20');
    expect([pageIndex(third), currentCursor(third)]).toEqual([2, 'r20']);
    const backToSecond = movedTo(third, 1, 'r30');
    expect([pageIndex(backToSecond), currentCursor(backToSecond)]).toEqual([1, 'r10']);
    const first = movedTo(third, 0, 'r30');
    expect([pageIndex(first), currentCursor(first)]).toEqual([0, undefined]);
  });

  it('stays where it is when asked for a page it cannot reach by cursor', () => {
    expect(movedTo(FIRST_PAGE, 3, 'r10')).toBe(FIRST_PAGE);
    expect(movedTo(FIRST_PAGE, 1, undefined)).toBe(FIRST_PAGE);
  });
});
