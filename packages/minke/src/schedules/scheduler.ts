/** What a server runs to fire its jobs' schedules (croner in process, or BullMQ job schedulers). */
export interface Scheduler {
  /** Reads the schedules again now (after a change made in this process). */
  reload(): void;
  close(): Promise<void>;
}

/** A schedule's identity for the schedulers: a change of any part means a new timer. */
export function scheduleSignature(schedule: {
  cron: string;
  timezone: string;
  endAt: string | null;
}): string {
  return `${schedule.cron}|${schedule.timezone}|${schedule.endAt ?? ''}`;
}
