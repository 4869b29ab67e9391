/**
 * A session's time limit as people write it: whole hours as `2 h`, whole minutes as `30 min`,
 * anything else in seconds (`90 s`, `1.5 s`). One wording for the CLI, the web admin and the
 * message a timed-out session leaves.
 */
export function timeLimitText(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000} h`;
  if (ms % 60_000 === 0) return `${ms / 60_000} min`;
  return `${ms / 1000} s`;
}
