import type { RunSummary } from '../events/run-events.js';

/**
 * "1 success, 0 warning, 0 error", then "2 stopped or canceled" when some were: such sessions
 * are neither failures nor successes, and the line says so rather than count them as errors.
 */
export function summaryCounts(summary: RunSummary): string {
  const parts = [
    `${summary.success} success`,
    `${summary.warning} warning`,
    `${summary.error} error`,
  ];
  if (summary.stopped > 0) parts.push(`${summary.stopped} stopped or canceled`);
  return parts.join(', ');
}

/**
 * `minke run`'s (and `minke jobs run`'s) exit code: 0 when every session did its work, 1 when one
 * ended in error, was stopped or was canceled. The docs promise 1 for a canceled run (a queue
 * that was down cancels every session), and a stopped or canceled record carries the result
 * `error`: a script must not take work that was not done for work done. The summary line tells
 * the two apart.
 */
export function exitCodeOf(summary: RunSummary): 0 | 1 {
  return summary.error > 0 || summary.stopped > 0 ? 1 : 0;
}
