import { z } from 'zod';

/** A session's result, in rising severity: it is only ever raised unless asked otherwise. */
export const SESSION_RESULTS = ['success', 'warning', 'error'] as const;
export const sessionResult = z.enum(SESSION_RESULTS);
export type SessionResult = z.infer<typeof sessionResult>;

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
export const processState = z.enum(PROCESS_STATES);
export type ProcessState = z.infer<typeof processState>;

/**
 * What a history's status filter may name (`--status`, the API's `status`, the runs list's
 * picker): a result, `waiting` / `done` (the summary's groups of process states), or a process
 * state. As the summary counts them, `error` leaves out stopped and canceled records (they carry
 * `error` without having failed) and `stopped` takes in canceled ones.
 */
export const STATUS_FILTERS = [...SESSION_RESULTS, 'waiting', 'done', ...PROCESS_STATES] as const;
export type StatusFilter = (typeof STATUS_FILTERS)[number];

/** The process states a session does not leave. */
export const DONE_STATES: readonly ProcessState[] = ['completed', 'stopped', 'canceled', 'failed'];

export function isDone(state: ProcessState): boolean {
  return DONE_STATES.includes(state);
}

export const MESSAGE_LEVELS = ['info', 'warning', 'error'] as const;
export const messageLevel = z.enum(MESSAGE_LEVELS);
export type MessageLevel = z.infer<typeof messageLevel>;

export const MESSAGE_KINDS = ['text', 'preformatted', 'table', 'command'] as const;
export const messageKind = z.enum(MESSAGE_KINDS);
export type MessageKind = z.infer<typeof messageKind>;

/** A run's own state: running until its last session is done. */
export const RUN_STATES = ['running', 'finished'] as const;

/** What stopping one session did: canceled while waiting, stopping after its command, killing (asked again), finished already, or unknown (no executor knows it). */
export const STOP_OUTCOMES = ['canceled', 'stopping', 'killing', 'finished', 'unknown'] as const;
export const stopOutcome = z.enum(STOP_OUTCOMES);
export type StopOutcome = z.infer<typeof stopOutcome>;
