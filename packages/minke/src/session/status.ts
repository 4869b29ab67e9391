import { InputError } from '../errors.js';

/** A session's result, in rising severity: it is only ever raised unless asked otherwise. */
export const SESSION_RESULTS = ['success', 'warning', 'error'] as const;
export type SessionResult = (typeof SESSION_RESULTS)[number];

/**
 * A session's process state: initialized → running → completed, or running → stopping → stopped;
 * a waiting session can be canceled; an unexpected error or a lost connection gives failed.
 */
export const PROCESS_STATES = [
  'initialized',
  'running',
  'completed',
  'stopping',
  'stopped',
  'canceled',
  'failed',
] as const;
export type ProcessState = (typeof PROCESS_STATES)[number];

export const DONE_STATES: readonly ProcessState[] = ['completed', 'stopped', 'canceled', 'failed'];

export function isDone(state: ProcessState): boolean {
  return DONE_STATES.includes(state);
}

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
