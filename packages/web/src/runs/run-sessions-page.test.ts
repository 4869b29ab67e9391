import { describe, expect, it } from 'vitest';
import { failedCount, outcomeCounts } from '@minke/contract';
import { sessionsQuery, shownPage, SESSIONS_PER_PAGE } from './run-sessions-page.js';

const sessions = Array.from({ length: 250 }, (_, i) => ({
  id: i + 1,
  processState: i < 240 ? ('completed' as const) : ('running' as const),
  result: i % 50 === 0 ? ('error' as const) : i < 240 ? ('success' as const) : null,
}));

describe('the run page’s sessions', () => {
  it('counts each outcome, from sessions or from counted groups', () => {
    const expected = { all: 250, error: 5, warning: 0, stopped: 0, pending: 10, success: 235 };
    expect(outcomeCounts(sessions)).toEqual(expected);
    expect(
      outcomeCounts([
        { processState: 'completed', result: 'error', count: 5 },
        { processState: 'completed', result: 'success', count: 235 },
        { processState: 'running', result: null, count: 10 },
      ]),
    ).toEqual(expected);
    expect(failedCount(sessions)).toBe(15);
  });

  it('asks the server for one page of one outcome', () => {
    expect(sessionsQuery('all', 0)).toEqual({ offset: 0, limit: SESSIONS_PER_PAGE });
    expect(sessionsQuery('error', 2)).toEqual({ show: 'error', offset: 200, limit: 100 });
    expect(shownPage(200)).toBe(2);
    expect(shownPage(0)).toBe(0);
  });
});
