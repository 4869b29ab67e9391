import type { JobItem } from '@minke/contract';
import { nextTimes } from './cron-times.js';
import type { JobValues, SavedJob, StoredSchedule } from './saved-job.js';

/** A job as the API and the CLI show it: its schedule with the next five times it fires. */
export function jobItemOf(job: SavedJob, now: Date = new Date()): JobItem {
  return {
    id: job.id,
    description: job.description,
    ...definitionOf(job),
    schedule: job.schedule ? scheduleView(job.schedule, now) : null,
    ownerId: job.ownerId,
    createdAt: job.createdAt,
    createdBy: job.createdBy,
    updatedAt: job.updatedAt,
    updatedBy: job.updatedBy,
  };
}

/**
 * What a job does and when, as its audit rows keep it: no secret is in it, only where each comes
 * from; not who changed it or when the schedule last fired.
 */
export function jobAuditView(job: JobValues): Record<string, unknown> {
  return { ...definitionOf(job), schedule: job.schedule ? scheduleSettings(job.schedule) : null };
}

function definitionOf(job: JobValues) {
  const { name, session, model, selection, data, secrets, batch, timeoutMs, notify } = job;
  const { runTimeoutMs } = job;
  return { name, session, model, selection, data, secrets, batch, timeoutMs, runTimeoutMs, notify };
}

/** The schedule as its owner set it. */
function scheduleSettings(schedule: StoredSchedule) {
  const { cron, timezone, endAt, enabled, missed, overlap } = schedule;
  return { cron, timezone, endAt, enabled, missed, overlap };
}

function scheduleView(schedule: StoredSchedule, now: Date): NonNullable<JobItem['schedule']> {
  return {
    ...scheduleSettings(schedule),
    lastTickAt: schedule.lastTickAt,
    nextTimes: schedule.enabled ? safeNextTimes(schedule, now) : [],
  };
}

/** A schedule stored by an older Minke that croner now refuses shows no times, not an error. */
function safeNextTimes(schedule: StoredSchedule, now: Date): string[] {
  try {
    return nextTimes(schedule, 5, now);
  } catch {
    return [];
  }
}
