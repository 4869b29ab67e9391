import { SESSION_RESULTS, type SessionResult } from '@minke/contract/states';
import { InputError } from '../errors.js';

// The states and results are the contract's, so the server, the CLI and the web admin share them.
export {
  DONE_STATES,
  isDone,
  PROCESS_STATES,
  SESSION_RESULTS,
  type ProcessState,
  type SessionResult,
} from '@minke/contract/states';

export function severity(result: SessionResult): number {
  return SESSION_RESULTS.indexOf(result);
}

/** The higher of two results: `raise('warning', 'success')` is `'warning'`. */
export function raiseResult(current: SessionResult | null, next: SessionResult): SessionResult {
  return current === null || severity(next) > severity(current) ? next : current;
}

/** `true` is success, `false` is error, a name is itself (any case); anything else is refused. */
export function toSessionResult(value: boolean | string): SessionResult {
  if (value === true) return 'success';
  if (value === false) return 'error';
  const name = value.toLowerCase();
  if ((SESSION_RESULTS as readonly string[]).includes(name)) return name as SessionResult;
  throw new InputError(
    `a session status must be one of ${SESSION_RESULTS.join(', ')} (or true/false), not "${value}"`,
  );
}
