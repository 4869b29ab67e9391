import { describe, expect, it } from 'vitest';
import { batchPolicyOf } from './batch-flags.js';

describe('batchPolicyOf', () => {
  it('reads counts and percentages', () => {
    expect(batchPolicyOf({ batch: '10%', maxFail: '5%' })).toEqual({ size: '10%', maxFail: '5%' });
    expect(batchPolicyOf({ batch: '3', maxFail: '0', batchPause: '30' })).toEqual({
      size: 3,
      maxFail: 0,
      pauseSeconds: 30,
    });
    expect(batchPolicyOf({})).toBeUndefined();
  });

  it('tells which flag is wrong and what it expects', () => {
    expect(() => batchPolicyOf({ batch: 'ten' })).toThrow(
      '--batch "ten": expected a count (5) or a percentage (10%)',
    );
    expect(() => batchPolicyOf({ batch: '150%' })).toThrow('--batch: a percentage is at most 100%');
    expect(() => batchPolicyOf({ maxFail: '5%' })).toThrow('need --batch');
    expect(() => batchPolicyOf({ batch: '5', batchPause: '1m' })).toThrow(
      '--batch-pause "1m": expected whole seconds',
    );
  });
});
