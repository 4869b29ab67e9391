import { JobStore } from '../jobs/job-store.js';
import { JobTickStore } from '../jobs/job-tick-store.js';
import { ticksBetween } from '../jobs/cron-times.js';
import { launchTick, type TickServices } from './fire-tick.js';
import { notifyMissed } from './notify-missed.js';

/**
 * Ticks due at most this long ago are left to the live scheduler: a server starting next to one
 * that is about to fire a tick does not call it missed.
 */
const LIVE_MARGIN_MS = 1500;

/**
 * At a server's start: the ticks each schedule missed while Minke was down (after its newest
 * tick, or since it was set), handled as the schedule says: `skip` notes them, `run-once`
 * launches the job once for all of them. The newest missed tick is claimed first, so two
 * servers starting together handle them once, and a late tick a queue still held for that time
 * finds it taken.
 */
export async function catchUpMissedTicks(
  services: TickServices,
  now: Date = new Date(),
): Promise<number> {
  const { database } = services.runtime.project;
  const jobs = new JobStore(database);
  const ticks = new JobTickStore(database);
  let handled = 0;
  for (const job of await jobs.scheduled()) {
    const schedule = job.schedule;
    const from = schedule?.lastTickAt ?? schedule?.since;
    if (!schedule || !from) continue;
    let missed: ReturnType<typeof ticksBetween>;
    try {
      missed = ticksBetween(schedule, new Date(from), new Date(now.getTime() - LIVE_MARGIN_MS));
    } catch {
      continue; // a schedule croner no longer reads shows no times (see job-view.ts)
    }
    if (missed.count === 0 || missed.newest === null) continue;
    if (!(await jobs.claimTick(job.id, missed.newest))) continue;
    handled++;
    const count = `${missed.count}${missed.capped ? ' or more' : ''} tick(s)`;
    if (schedule.missed === 'skip') {
      await ticks.note({
        jobId: job.id,
        tickAt: missed.newest,
        outcome: 'missed',
        note: `missed ${count} while Minke was down: skipped`,
      });
      services.logger.info({ job: job.name, missed: missed.count }, 'missed ticks skipped');
      await notifyMissed(services, job, missed.newest, `${count} missed while Minke was down`);
      continue;
    }
    await ticks.note({
      jobId: job.id,
      tickAt: missed.newest,
      outcome: 'missed',
      note: `missed ${count} while Minke was down: run once now`,
    });
    await launchTick(services, job, missed.newest, 'launched for the missed ticks');
  }
  return handled;
}
