import { parseTimeLimit } from '@minke/contract/time-limit';
import { UsageError } from './cli-error.js';

/**
 * `--timeout 30m` as milliseconds (undefined without the flag): a number of seconds, or a number
 * and s, m or h. A mistake names the flag and what it expects.
 *
 * @example timeLimitFlag('90s') // 90_000
 */
export function timeLimitFlag(text: string | undefined, flag = '--timeout'): number | undefined {
  if (text === undefined) return undefined;
  const parsed = parseTimeLimit(text);
  if ('error' in parsed) throw new UsageError(`${flag}: ${parsed.error}`);
  return parsed.ms;
}
