import { describe, expect, it } from 'vitest';
import { InputError } from '../errors.js';
import { parseAge, parseDateOrAge } from './purge-age.js';

const now = new Date('2026-03-31T12:34:56.789Z');
const age = (text: string, at: Date = now) => parseAge(text, { now: at }).toISOString();

describe('parseAge', () => {
  it('goes back hours, days and weeks', () => {
    expect(age('12h')).toBe('2026-03-31T00:34:56.789Z');
    expect(age('30d')).toBe('2026-03-01T12:34:56.789Z');
    expect(age('2w')).toBe('2026-03-17T12:34:56.789Z');
    expect(age('0d')).toBe(now.toISOString());
    expect(age(' 1D ')).toBe('2026-03-30T12:34:56.789Z');
  });

  it('goes back calendar months and years, clamping to the end of a shorter month', () => {
    expect(age('1m')).toBe('2026-02-28T12:34:56.789Z');
    expect(age('6m')).toBe('2025-09-30T12:34:56.789Z');
    expect(age('13m')).toBe('2025-02-28T12:34:56.789Z');
    expect(age('25m')).toBe('2024-02-29T12:34:56.789Z');
    expect(age('1m', new Date('2026-03-15T00:00:00Z'))).toBe('2026-02-15T00:00:00.000Z');
    expect(age('3m', new Date('2026-01-31T08:00:00Z'))).toBe('2025-10-31T08:00:00.000Z');
    expect(age('1y')).toBe('2025-03-31T12:34:56.789Z');
    expect(age('1y', new Date('2024-02-29T00:00:00Z'))).toBe('2023-02-28T00:00:00.000Z');
    expect(age('4y', new Date('2024-02-29T00:00:00Z'))).toBe('2020-02-29T00:00:00.000Z');
  });

  it('defaults to now', () => {
    const before = Date.now();
    const date = parseAge('1h').getTime();
    expect(date).toBeGreaterThanOrEqual(before - 3_600_000);
    expect(date).toBeLessThanOrEqual(Date.now() - 3_600_000);
  });

  it('refuses anything else with a message that says what to write', () => {
    for (const text of ['6x', '6', 'm', '', '1.5d', '-1d', '6 months', '1m2d', '1234567d']) {
      expect(() => parseAge(text)).toThrow(InputError);
      expect(() => parseAge(text)).toThrow(
        `--older-than "${text}": use a number and a unit: h, d, w, m (months) or y`,
      );
    }
    expect(() => parseAge('x', { flag: '--since' })).toThrow('--since "x": use a number');
    expect(() => parseAge('999999y')).toThrow('--older-than "999999y": that is too long ago');
  });
});

describe('parseDateOrAge', () => {
  it('takes a date or an age', () => {
    expect(parseDateOrAge('2026-01-31', '--since').toISOString()).toBe('2026-01-31T00:00:00.000Z');
    expect(parseDateOrAge('2026-01-31T08:00:00Z', '--until', now).toISOString()).toBe(
      '2026-01-31T08:00:00.000Z',
    );
    expect(parseDateOrAge('2d', '--since', now).toISOString()).toBe('2026-03-29T12:34:56.789Z');
  });

  it('refuses what is neither', () => {
    for (const text of ['yesterday', '2026-13-45', '31.01.2026', '']) {
      expect(() => parseDateOrAge(text, '--since')).toThrow(
        `--since "${text}": use a date (2026-01-31 or 2026-01-31T08:00:00Z) or an age (12h, 2d, 1w, 6m, 1y)`,
      );
    }
  });
});
