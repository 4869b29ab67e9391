import {
  batchPolicy,
  countOrPercent,
  type BatchPolicy,
  type JobChangeBody,
  type JobItem,
  type NotificationEvent,
  type NotificationRule,
  timeLimitText,
} from '@minke/contract';

/**
 * What the job editor holds while the user types, read from a saved job (to edit it) or empty
 * (a new one), and turned back into the API's body. Batch and rule values are kept as typed so
 * that a mistake is shown next to its field instead of being lost in a conversion.
 */

/** The events a job's rule may listen for (policy.failing belongs to the project's rules). */
export const JOB_EVENTS = [
  'run.finished',
  'run.failed',
  'run.recovered',
  'schedule.missed',
] as const satisfies readonly NotificationEvent[];

export const EVENT_LABELS: Record<(typeof JOB_EVENTS)[number], string> = {
  'run.finished': 'finished',
  'run.failed': 'failed',
  'run.recovered': 'recovered',
  'schedule.missed': 'schedule missed',
};

export interface BatchState {
  on: boolean;
  /** A count ("5") or a share ("25%"). */
  size: string;
  /** Whole seconds, or empty for none. */
  pause: string;
  /** A count or a share, or empty for no budget. */
  maxFail: string;
}

export interface RuleState {
  on: NotificationEvent[];
  channel: string;
}

export interface ScheduleState {
  on: boolean;
  enabled: boolean;
  cron: string;
  timezone: string;
  /** As a datetime-local input holds it (local time), or empty. */
  endAt: string;
  missed: 'skip' | 'run-once';
  overlap: 'skip' | 'queue';
}

export const emptyBatch: BatchState = { on: false, size: '25%', pause: '', maxFail: '' };

export const emptySchedule: ScheduleState = {
  on: false,
  enabled: true,
  cron: '0 2 * * *',
  timezone: 'UTC',
  endAt: '',
  missed: 'skip',
  overlap: 'skip',
};

export function batchStateOf(policy: BatchPolicy | null): BatchState {
  if (!policy) return emptyBatch;
  return {
    on: true,
    size: String(policy.size),
    pause: policy.pauseSeconds === undefined ? '' : String(policy.pauseSeconds),
    maxFail: policy.maxFail === undefined ? '' : String(policy.maxFail),
  };
}

export function scheduleStateOf(schedule: JobItem['schedule']): ScheduleState {
  if (!schedule) return emptySchedule;
  return {
    on: true,
    enabled: schedule.enabled,
    cron: schedule.cron,
    timezone: schedule.timezone,
    endAt: schedule.endAt ? localInputOf(schedule.endAt) : '',
    missed: schedule.missed,
    overlap: schedule.overlap,
  };
}

/** An ISO time as a datetime-local input shows it: the browser's local time, to the minute. */
export function localInputOf(iso: string): string {
  const date = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

/** A count ("5") or a share ("25%") as the contract takes it; the text as is when it is neither. */
function amountOf(text: string): number | string {
  const trimmed = text.trim();
  return /^\d+$/.test(trimmed) ? Number(trimmed) : trimmed;
}

/** The first message of a zod check, or undefined when the value passes. */
function messageOf(result: {
  success: boolean;
  error?: { issues: { message: string }[] };
}): string | undefined {
  return result.success ? undefined : (result.error?.issues[0]?.message ?? 'not valid');
}

export type BatchErrors = Partial<Record<'size' | 'pause' | 'maxFail', string>>;

/** What is wrong with each batch field, by the contract's own rules (empty when all is well). */
export function batchErrors(state: BatchState): BatchErrors {
  if (!state.on) return {};
  const errors: BatchErrors = {};
  const size = amountOf(state.size);
  const sizeMessage =
    state.size.trim() === ''
      ? 'a batch size: a count (5) or a percentage (25%)'
      : messageOf(countOrPercent.safeParse(size));
  if (sizeMessage) errors.size = sizeMessage;
  else if (size === 0 || (typeof size === 'string' && Number.parseFloat(size) === 0))
    errors.size = 'a batch holds at least one object';
  if (state.pause.trim() !== '') {
    const pause = state.pause.trim();
    if (!/^\d+$/.test(pause)) errors.pause = 'whole seconds, e.g. 30';
    else if (Number(pause) > 86_400) errors.pause = 'at most 86400 seconds (a day)';
  }
  if (state.maxFail.trim() !== '') {
    const message = messageOf(countOrPercent.safeParse(amountOf(state.maxFail)));
    if (message) errors.maxFail = message;
  }
  return errors;
}

/** The batch policy to save: null when off; undefined when a field is wrong (see batchErrors). */
export function batchPolicyOf(state: BatchState): BatchPolicy | null | undefined {
  if (!state.on) return null;
  if (Object.keys(batchErrors(state)).length > 0) return undefined;
  const parsed = batchPolicy.safeParse({
    size: amountOf(state.size),
    ...(state.pause.trim() === '' ? {} : { pauseSeconds: Number(state.pause.trim()) }),
    ...(state.maxFail.trim() === '' ? {} : { maxFail: amountOf(state.maxFail) }),
  });
  return parsed.success ? parsed.data : undefined;
}

/** A saved time limit as the field shows it ("30 min", which reads back as the same limit). */
export function timeLimitStateOf(ms: number | null): string {
  return ms === null ? '' : timeLimitText(ms);
}

/** What is wrong with each rule (by its index), empty when all are well. */
export function ruleErrors(rules: readonly RuleState[]): Record<number, string> {
  const errors: Record<number, string> = {};
  rules.forEach((rule, index) => {
    if (rule.on.length === 0) errors[index] = 'pick at least one event';
    else if (!/^[a-z0-9][a-z0-9._-]*$/.test(rule.channel))
      errors[index] =
        rule.channel === ''
          ? 'pick a channel'
          : 'a channel name: lower-case letters, digits, ".", "_" and "-"';
  });
  return errors;
}

export function rulesOf(rules: readonly RuleState[]): NotificationRule[] {
  return rules.map((rule) => ({ on: [...rule.on], channel: rule.channel }));
}

/** The schedule as the API takes it: null when the job has none. */
export function scheduleOf(state: ScheduleState): JobChangeBody['schedule'] {
  if (!state.on) return null;
  return {
    cron: state.cron,
    timezone: state.timezone,
    endAt: state.endAt ? new Date(state.endAt).toISOString() : null,
    enabled: state.enabled,
    missed: state.missed,
    overlap: state.overlap,
  };
}
