import { describe, expect, it } from 'vitest';
import { sessionOutcome, summarize } from '@minke/contract';

describe('outcomes on the page', () => {
  it('counts stopped and canceled sessions apart from errors, whatever result they carry', () => {
    const counts = summarize([
      { processState: 'completed', result: 'success' },
      { processState: 'completed', result: 'error' },
      { processState: 'failed', result: 'error' },
      { processState: 'canceled', result: 'error' },
      { processState: 'stopped', result: 'warning' },
      { processState: 'running', result: null },
    ]);
    expect(counts).toEqual({
      all: 6,
      waiting: 0,
      running: 1,
      done: 5,
      success: 1,
      warning: 0,
      error: 2,
      stopped: 2,
    });
  });

  it('colours a stopped or canceled row grey, a failed one by its result', () => {
    expect(sessionOutcome('canceled', 'error')).toBe('stopped');
    expect(sessionOutcome('stopped', null)).toBe('stopped');
    expect(sessionOutcome('failed', 'error')).toBe('error');
    expect(sessionOutcome('stopping', null)).toBe('pending');
    expect(sessionOutcome('completed', null)).toBe('none');
  });
});
