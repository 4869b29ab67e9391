import { describe, expect, it } from 'vitest';
import { outcomeCounts, sessionsPage, SESSIONS_PER_PAGE } from './run-sessions-page.js';

const sessions = Array.from({ length: 250 }, (_, i) => ({
  id: i + 1,
  processState: i < 240 ? ('completed' as const) : ('running' as const),
  result: i % 50 === 0 ? ('error' as const) : i < 240 ? ('success' as const) : null,
}));

describe('the run page’s sessions', () => {
  it('counts each outcome', () => {
    expect(outcomeCounts(sessions)).toEqual({
      all: 250,
      error: 5,
      warning: 0,
      stopped: 0,
      pending: 10,
      success: 235,
    });
  });

  it('shows a page at a time, the last one shorter', () => {
    const first = sessionsPage(sessions, 'all', 0);
    expect(first.rows).toHaveLength(SESSIONS_PER_PAGE);
    expect(first.rows[0]?.id).toBe(1);
    const third = sessionsPage(sessions, 'all', 2);
    expect(third.rows.map((s) => s.id)).toEqual(Array.from({ length: 50 }, (_, i) => 201 + i));
    expect(third.matching).toBe(250);
  });

  it('shows one outcome alone, and the last page when asked past it', () => {
    const errors = sessionsPage(sessions, 'error', 7);
    expect(errors.rows.map((s) => s.id)).toEqual([1, 51, 101, 151, 201]);
    expect(errors.page).toBe(0);
    expect(sessionsPage(sessions, 'warning', 0)).toEqual({ rows: [], matching: 0, page: 0 });
  });
});
