import { describe, expect, it } from 'vitest';
import { IDLE_RUNS_REFRESH_MS, LIVE_RUNS_REFRESH_MS, runsRefreshInterval } from './runs-refresh.js';

describe('runsRefreshInterval', () => {
  it('follows a page with a run that goes on, and looks for new runs otherwise', () => {
    const finished = { state: 'finished' };
    expect(runsRefreshInterval({ data: [finished, { state: 'running' }] })).toBe(
      LIVE_RUNS_REFRESH_MS,
    );
    expect(runsRefreshInterval({ data: [finished, { state: 'initialized' }] })).toBe(
      LIVE_RUNS_REFRESH_MS,
    );
    expect(runsRefreshInterval({ data: [finished, finished] })).toBe(IDLE_RUNS_REFRESH_MS);
    expect(runsRefreshInterval({ data: [] })).toBe(IDLE_RUNS_REFRESH_MS);
    expect(runsRefreshInterval(undefined)).toBe(IDLE_RUNS_REFRESH_MS);
  });
});
