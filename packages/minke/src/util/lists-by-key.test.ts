import { describe, expect, it } from 'vitest';
import { listsByKey } from './lists-by-key.js';

describe('listsByKey', () => {
  it('keeps the order of the rows within each list', () => {
    const rows = [
      { group: 2, name: 'b' },
      { group: 1, name: 'a' },
      { group: 2, name: 'c' },
    ];
    const lists = listsByKey(
      rows,
      (r) => r.group,
      (r) => r.name,
    );
    expect([...lists]).toEqual([
      [2, ['b', 'c']],
      [1, ['a']],
    ]);
  });

  it('adds to a map it is given and leaves keys without rows out', () => {
    const into = new Map<string, number[]>([['x', [1]]]);
    expect(
      listsByKey(
        [{ k: 'x', v: 2 }],
        (r) => r.k,
        (r) => r.v,
        into,
      ),
    ).toBe(into);
    expect(into.get('x')).toEqual([1, 2]);
    expect(
      listsByKey(
        [],
        (r: { k: string }) => r.k,
        (r) => r,
      ).size,
    ).toBe(0);
  });
});
