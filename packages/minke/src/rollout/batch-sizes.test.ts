import { describe, expect, it } from 'vitest';
import { budgetExceeded, budgetReason, rolloutShape, splitIntoBatches } from './batch-sizes.js';

describe('rolloutShape', () => {
  it('reads percentages as Ansible does: batches rounded up, the budget rounded down', () => {
    expect(rolloutShape({ size: '25%', maxFail: '10%' }, 20)).toEqual({
      batchSize: 5,
      batchCount: 4,
      allowedFailures: 2,
    });
    expect(rolloutShape({ size: '10%', maxFail: '5%' }, 7)).toEqual({
      batchSize: 1,
      batchCount: 7,
      allowedFailures: 0,
    });
  });

  it('takes counts as they are, a batch never larger than the run nor empty', () => {
    expect(rolloutShape({ size: 3, maxFail: 1 }, 10)).toEqual({
      batchSize: 3,
      batchCount: 4,
      allowedFailures: 1,
    });
    expect(rolloutShape({ size: 50 }, 4)).toEqual({
      batchSize: 4,
      batchCount: 1,
      allowedFailures: null,
    });
    expect(rolloutShape({ size: 0 }, 4).batchSize).toBe(1);
    expect(rolloutShape({ size: '0.5%' }, 4).batchSize).toBe(1);
  });
});

describe('the failure budget', () => {
  it('is spent by one failure more than allowed, never without a budget', () => {
    expect(budgetExceeded(2, 2)).toBe(false);
    expect(budgetExceeded(3, 2)).toBe(true);
    expect(budgetExceeded(1, 0)).toBe(true);
    expect(budgetExceeded(100, null)).toBe(false);
  });

  it('says after how many objects it stopped', () => {
    expect(budgetReason(10, 20, 3, 2)).toBe(
      'failure budget exceeded after 10 of 20: 3 failed, 2 allowed',
    );
  });
});

describe('splitIntoBatches', () => {
  it('keeps the order and puts the remainder last', () => {
    expect(splitIntoBatches([1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4], [5]]);
  });
});
