import type { JobItem } from '@minke/contract';
import { nextTimes } from './cron-times.js';
import type { SavedJob, StoredSchedule } from './saved-job.js';

/** A job as the API and the CLI show it: its schedule with the next five times it fires. */
export function jobItemOf(job: SavedJob, now: Date = new Date()): JobItem {
  return {
    id: job.id,
    name: job.name,
    description: job.description,
    session: job.session,
    model: job.model,
    selection: job.selection,
    data: job.data,
    secrets: job.secrets,
    batch: job.batch,
    notify: job.notify,
    schedule: job.schedule ? scheduleView(job.schedule, now) : null,
    ownerId: job.ownerId,
    createdAt: job.createdAt,
    createdBy: job.createdBy,
    updatedAt: job.updatedAt,
    updatedBy: job.updatedBy,
  };
}

function scheduleView(schedule: StoredSchedule, now: Date): NonNullable<JobItem['schedule']> {
  return {
    cron: schedule.cron,
    timezone: schedule.timezone,
    endAt: schedule.endAt,
    enabled: schedule.enabled,
    missed: schedule.missed,
    overlap: schedule.overlap,
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
