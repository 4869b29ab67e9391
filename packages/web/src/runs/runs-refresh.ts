/** While a run shown goes on, its row follows it at this pace. */
export const LIVE_RUNS_REFRESH_MS = 2000;
/** Otherwise the list still shows a run started elsewhere (another user, the CLI) this soon. */
export const IDLE_RUNS_REFRESH_MS = 10_000;

/**
 * How often the runs list reads its page again: often while a run on it is not finished, seldom
 * otherwise (react-query's `refetchInterval`; it pauses while the tab is hidden).
 */
export function runsRefreshInterval(page: { data?: readonly { state?: unknown }[] } | undefined) {
  const rows = page?.data ?? [];
  return rows.some((row) => row.state !== 'finished') ? LIVE_RUNS_REFRESH_MS : IDLE_RUNS_REFRESH_MS;
}
