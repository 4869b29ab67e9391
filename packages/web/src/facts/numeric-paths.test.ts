import { describe, expect, it } from 'vitest';
import { numericPaths } from './numeric-paths.js';

describe('numericPaths', () => {
  it('finds numbers and numeric strings, in order, with list indexes', () => {
    expect(
      numericPaths({ root: { used_percent: 41, mount: '/' }, load: ['0.5', 'x'], ok: true }),
    ).toEqual(['root.used_percent', 'load.0']);
  });
  it('gives the empty path for a plain number, and skips keys a path cannot name', () => {
    expect(numericPaths(12)).toEqual(['']);
    expect(numericPaths({ 'a b': 1, 'a.b': 2, c: 3 })).toEqual(['c']);
  });
  it('stops at max', () => {
    expect(
      numericPaths(
        Array.from({ length: 10 }, (_, i) => i),
        3,
      ),
    ).toEqual(['0', '1', '2']);
  });
});
