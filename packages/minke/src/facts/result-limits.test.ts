import { describe, expect, it } from 'vitest';
import { ResultLimits } from './result-limits.js';

describe('ResultLimits', () => {
  it('refuses a result bigger than the limit, naming both sizes and the setting', () => {
    const limits = new ResultLimits({ maxResultBytes: 1000, maxResultsPerMinute: 10 });
    expect(limits.check('web1', 1000)).toBeUndefined();
    expect(limits.check('web1', 1001)).toEqual({
      code: 'too-large',
      message: expect.stringMatching(/1001 bytes, more than .* 1000 \(agents\.maxResultBytes\)/),
    });
  });

  it('allows a burst of one minute’s worth per node, then refills steadily', () => {
    const limits = new ResultLimits({ maxResultBytes: 1000, maxResultsPerMinute: 6 });
    const t0 = 1_000_000;
    const burst = Array.from({ length: 7 }, () => limits.check('web1', 10, t0)?.code);
    expect(burst).toEqual([...Array<undefined>(6).fill(undefined), 'rate-limited']);
    // Another node has its own allowance.
    expect(limits.check('web2', 10, t0)).toBeUndefined();
    // One result every 10 s comes back at 6 a minute.
    expect(limits.check('web1', 10, t0 + 5_000)?.code).toBe('rate-limited');
    expect(limits.check('web1', 10, t0 + 10_000)).toBeUndefined();
    expect(limits.check('web1', 10, t0 + 10_001)?.message).toMatch(
      /more than 6 results a minute .*agents\.maxResultsPerMinute/,
    );
    // A quiet hour gives back a minute's worth, not more.
    const later = t0 + 3_600_000;
    const after = Array.from({ length: 7 }, () => limits.check('web1', 10, later)?.code);
    expect(after.filter((code) => code === undefined)).toHaveLength(6);
  });
});
