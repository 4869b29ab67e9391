import type { SavedJob } from '../jobs/saved-job.js';
import type { TickServices } from './tick-services.js';

/**
 * Tells the notification rules (the project's and the job's own) that a tick did not run. A
 * notification that cannot be queued is logged: it never stops the scheduler.
 */
export async function notifyMissed(
  services: TickServices,
  job: SavedJob,
  tickAt: Date,
  reason: string,
): Promise<void> {
  try {
    const { notifyScheduleMissed } = await import('../notifications/hooks.js');
    await notifyScheduleMissed(services.runtime.project, services.logger, {
      job: job.name,
      tickAt,
      reason,
      rules: job.notify,
    });
  } catch (error) {
    services.logger.warn({ job: job.name, err: error }, 'a missed tick could not be notified');
  }
}
