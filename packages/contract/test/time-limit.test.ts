import { describe, expect, it } from 'vitest';
import {
  MAX_TIME_LIMIT_MS,
  parseTimeLimit,
  timeLimitProblem,
  timeLimitText,
} from '../src/time-limit.js';

describe('time limits as people type them', () => {
  it('reads seconds, minutes and hours, a bare number as seconds', () => {
    const read = (text: string) => parseTimeLimit(text);
    expect(read('90')).toEqual({ ms: 90_000 });
    expect(read('1.5s')).toEqual({ ms: 1500 });
    expect(read('30m')).toEqual({ ms: 1_800_000 });
    expect(read(' 30 min ')).toEqual({ ms: 1_800_000 });
    expect(read('2H')).toEqual({ ms: 7_200_000 });
    expect(read('596h')).toEqual({ ms: 2_145_600_000 });
  });

  it('says why a text is not a limit', () => {
    expect(parseTimeLimit('0')).toEqual({ error: 'a time limit must be more than 0 (got "0")' });
    expect(parseTimeLimit('0.0001s')).toEqual({
      error: 'a time limit must be more than 0 (got "0.0001s")',
    });
    expect(parseTimeLimit('597h')).toEqual({
      error: 'a time limit must be at most 596 h, 24.8 days (got "597h")',
    });
    for (const text of ['', 'soon', '5 days', '-3s', '1e3'])
      expect(parseTimeLimit(text)).toEqual({
        error: `"${text}" is not a time limit: write 90s, 30m or 2h (a bare number is seconds)`,
      });
  });

  it('checks a limit in milliseconds against what a timer can wait', () => {
    expect(timeLimitProblem(1)).toBeUndefined();
    expect(timeLimitProblem(MAX_TIME_LIMIT_MS)).toBeUndefined();
    for (const wrong of [0, 1.5, MAX_TIME_LIMIT_MS + 1, Number.NaN, '60'])
      expect(timeLimitProblem(wrong)).toBe(
        `timeoutMs must be a whole number of milliseconds from 1 to 2147483647 (24.8 days; got ${String(wrong)})`,
      );
    expect(timeLimitProblem(0, 'runTimeoutMs')).toMatch(/^runTimeoutMs must be a whole number/);
  });

  it('writes a limit back as people read it', () => {
    expect([7_200_000, 1_800_000, 90_000, 1500].map(timeLimitText)).toEqual([
      '2 h',
      '30 min',
      '90 s',
      '1.5 s',
    ]);
  });
});
