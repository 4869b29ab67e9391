import { describe, expect, it } from 'vitest';
import { toIsoString } from './adapter.js';

/** What the dates meant before the text fast path: Date's reading of them. */
function throughDate(value: string): string {
  const parsed = new Date(value.includes('T') || value.endsWith('Z') ? value : `${value}Z`);
  return Number.isNaN(parsed.getTime()) ? value : parsed.toISOString();
}

describe('toIsoString', () => {
  it("reads SQLite's date text as Date does, odd ones included", () => {
    const values = [
      '2026-12-06 07:15:40',
      '2026-12-06 07:15:40.7',
      '2026-12-06 07:15:40.07',
      '2026-12-06 07:15:40.768',
      '2026-01-01 00:00:00.000',
      '1999-12-31 23:59:59.999',
      '2026-02-28 12:00:00',
      '2026-02-30 12:00:00', // Date moves it to March 2nd
      '2026-04-31 00:00:00',
      '2026-12-06 24:00:00', // the next day
      '2026-13-01 00:00:00', // no such month: kept as written
      '2026-12-06T07:15:40.768Z',
      '2026-12-06 07:15:40+02:00',
      'yesterday',
      '',
    ];
    for (const value of values) expect(toIsoString(value), value).toBe(throughDate(value));
    expect(toIsoString('2026-12-06 07:15:40.7')).toBe('2026-12-06T07:15:40.700Z');
  });

  it('writes Dates and other values as before', () => {
    expect(toIsoString(new Date(Date.UTC(2026, 11, 6, 7, 15, 40, 5)))).toBe(
      '2026-12-06T07:15:40.005Z',
    );
    expect(toIsoString(1700000000)).toBe('1700000000');
  });
});
