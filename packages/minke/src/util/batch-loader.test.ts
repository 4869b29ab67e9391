/* eslint-disable @typescript-eslint/require-await -- the readers and writers stand in for async statements */
import { describe, expect, it } from 'vitest';
import { BatchLoader } from './batch-loader.js';

describe('BatchLoader', () => {
  it('reads the keys asked for in one turn together, each once, and later ones anew', async () => {
    const reads: number[][] = [];
    const loader = new BatchLoader(async (keys: readonly number[]) => {
      reads.push([...keys]);
      return new Map(keys.filter((key) => key !== 3).map((key) => [key, `v${key}`]));
    });
    const first = await Promise.all([1, 2, 2, 3].map((key) => loader.load(key)));
    expect(first).toEqual(['v1', 'v2', 'v2', undefined]);
    expect(reads).toEqual([[1, 2, 3]]);
    expect(await loader.load(1)).toBe('v1');
    expect(reads).toEqual([[1, 2, 3], [1]]);
  });

  it('splits a big turn into reads of at most maxKeys', async () => {
    const sizes: number[] = [];
    const loader = new BatchLoader(async (keys: readonly number[]) => {
      sizes.push(keys.length);
      return new Map(keys.map((key) => [key, key * 2]));
    }, 4);
    const values = await Promise.all(Array.from({ length: 10 }, (_, i) => loader.load(i)));
    expect(values).toEqual(Array.from({ length: 10 }, (_, i) => i * 2));
    expect(sizes).toEqual([4, 4, 2]);
  });

  it('fails every waiter of a read that failed, and the next turn reads again', async () => {
    let fail = true;
    const loader = new BatchLoader(async (keys: readonly string[]) => {
      if (fail) throw new Error('database away');
      return new Map(keys.map((key) => [key, key.length]));
    });
    const failed = await Promise.allSettled([loader.load('a'), loader.load('bb')]);
    expect(failed.map((result) => result.status)).toEqual(['rejected', 'rejected']);
    fail = false;
    expect(await loader.load('bb')).toBe(2);
  });
});
