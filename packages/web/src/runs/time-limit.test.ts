import { describe, expect, it } from 'vitest';
import {
  perObjectText,
  readTimeLimit,
  TIME_LIMIT_HINT,
  timeLimitHelp,
  wholeRunText,
} from './time-limit.js';

describe("a run's time limit field", () => {
  it('reads nothing typed as no limit, and a limit as people write it', () => {
    expect(readTimeLimit('')).toEqual({ ms: null });
    expect(readTimeLimit('  ')).toEqual({ ms: null });
    expect(readTimeLimit('1s')).toEqual({ ms: 1000 });
    expect(readTimeLimit('30 min')).toEqual({ ms: 1_800_000 });
    expect(readTimeLimit('90')).toEqual({ ms: 90_000 });
  });

  it('says under the field why a text is not a limit', () => {
    const soon = readTimeLimit('soon');
    expect(soon).toEqual({
      error: '"soon" is not a time limit: write 90s, 30m or 2h (a bare number is seconds)',
    });
    expect(timeLimitHelp(soon, null)).toBe(
      '"soon" is not a time limit: write 90s, 30m or 2h (a bare number is seconds)',
    );
    expect(timeLimitHelp(readTimeLimit('0'), null)).toBe(
      'a time limit must be more than 0 (got "0")',
    );
  });

  it("says when the session's own, shorter limit counts instead", () => {
    expect(timeLimitHelp(readTimeLimit('2m'), 60_000)).toBe(
      "the session's own limit, 1 min, is shorter and counts",
    );
    expect(timeLimitHelp(readTimeLimit('30s'), 60_000)).toBe(TIME_LIMIT_HINT);
    expect(timeLimitHelp(readTimeLimit(''), 60_000)).toBe(TIME_LIMIT_HINT);
    expect(timeLimitHelp(readTimeLimit('2m'), null)).toBe(TIME_LIMIT_HINT);
  });

  it('shows a limit per object in the words of the timed-out message', () => {
    expect(perObjectText(1000)).toBe('Time limit 1 s per object');
    expect(perObjectText(1_800_000)).toBe('Time limit 30 min per object');
    expect(wholeRunText(7_200_000)).toBe('Run limit 2 h');
    expect(perObjectText(7_200_000)).toBe('Time limit 2 h per object');
  });
});
