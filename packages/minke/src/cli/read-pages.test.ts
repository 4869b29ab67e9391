import { describe, expect, it } from 'vitest';
import { readPages } from './read-pages.js';

/** A list of `size` numbers served as the API serves one: at most 1,000 rows a request. */
function list(size: number) {
  const rows = Array.from({ length: size }, (_, i) => i);
  const asked: { limit: number; offset: number }[] = [];
  const request = (page: { limit: number; offset: number }) => {
    asked.push(page);
    if (page.limit > 1000) throw new Error(`limit ${page.limit} over the API's 1000`);
    const items = rows.slice(page.offset, page.offset + page.limit);
    return Promise.resolve({ items, total: size, limit: page.limit, offset: page.offset });
  };
  return { request, asked };
}

describe('readPages', () => {
  it('reads a --limit over the page size in as many requests as it takes', async () => {
    const { request, asked } = list(2500);
    const page = await readPages({ limit: 2300, offset: 100 }, request);
    expect(page.items).toEqual(Array.from({ length: 2300 }, (_, i) => i + 100));
    expect([page.total, page.limit, page.offset]).toEqual([2500, 2300, 100]);
    expect(asked).toEqual([
      { limit: 1000, offset: 100 },
      { limit: 1000, offset: 1100 },
      { limit: 300, offset: 2100 },
    ]);
  });

  it('stops at the last row that matches', async () => {
    const { request, asked } = list(1500);
    const page = await readPages({ limit: 5000, offset: 0 }, request);
    expect(page.items).toHaveLength(1500);
    expect(asked).toHaveLength(2);
  });

  it('asks once for a page within the size, and once past the end', async () => {
    const small = list(30);
    expect((await readPages({ limit: 50, offset: 0 }, small.request)).items).toHaveLength(30);
    expect(small.asked).toEqual([{ limit: 50, offset: 0 }]);
    const past = list(30);
    const empty = await readPages({ limit: 50, offset: 40 }, past.request);
    expect([empty.items, empty.total, past.asked.length]).toEqual([[], 30, 1]);
  });
});
