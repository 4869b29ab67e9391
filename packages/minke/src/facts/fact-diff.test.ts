import { describe, expect, it } from 'vitest';
import { parseWhere } from '../query/parse-where.js';
import { diffFacts } from './fact-diff.js';
import { factPaths, valueAt } from './fact-search.js';

describe('diffFacts', () => {
  it('finds added, removed and changed keys, deep, in key order', () => {
    expect(
      diffFacts(
        { os: { release: '12', id: 'debian' }, cpus: 4 },
        { os: { release: '13', codename: 'trixie' }, cpus: 4 },
      ),
    ).toEqual([
      { path: ['os', 'codename'], kind: 'added', after: 'trixie' },
      { path: ['os', 'id'], kind: 'removed', before: 'debian' },
      { path: ['os', 'release'], kind: 'changed', before: '12', after: '13' },
    ]);
  });

  it('compares lists index by index, and a change of kind as one change', () => {
    expect(diffFacts(['nginx', 'curl'], ['nginx', 'git', 'vim'])).toEqual([
      { path: ['1'], kind: 'changed', before: 'curl', after: 'git' },
      { path: ['2'], kind: 'added', after: 'vim' },
    ]);
    expect(diffFacts({ a: [1] }, { a: { b: 1 } })).toEqual([
      { path: ['a'], kind: 'changed', before: [1], after: { b: 1 } },
    ]);
    expect(diffFacts('12', 12)).toEqual([{ path: [], kind: 'changed', before: '12', after: 12 }]);
    expect(diffFacts({ a: {}, b: [] }, { a: {}, b: [] })).toEqual([]);
  });

  it('stops at the limit', () => {
    const before = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`k${i}`, i]));
    expect(diffFacts(before, {}, 10)).toHaveLength(10);
  });
});

describe('fact search helpers', () => {
  it('lists the fact paths a filter names, once each', () => {
    const filter = parseWhere(
      'facts.os.release = 12 and (name ~ web or not facts.cpu.count < 4) and facts.os.release != 11',
    );
    expect(factPaths(filter)).toEqual([
      ['facts', 'os', 'release'],
      ['facts', 'cpu', 'count'],
    ]);
  });

  it('reads a value at a path, indexes into lists, undefined when absent', () => {
    const value = { tags: ['a', 'b'], os: { release: '12' } };
    expect(valueAt(value, ['os', 'release'])).toBe('12');
    expect(valueAt(value, ['tags', '1'])).toBe('b');
    expect(valueAt(value, ['os', 'nope'])).toBeUndefined();
    expect(valueAt(value, ['tags', 'x'])).toBeUndefined();
    expect(valueAt('text', ['a'])).toBeUndefined();
    expect(valueAt(value, [])).toBe(value);
  });
});
