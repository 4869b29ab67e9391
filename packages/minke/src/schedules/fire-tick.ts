import type { TickServices } from './tick-services.js';
import { runWithAuditActor } from '../audit/audit-context.js';
import { localOperator, type RunUser } from '../auth/run-user.js';
import { JobStore } from '../jobs/job-store.js';
import { JobTickStore } from '../jobs/job-tick-store.js';
import { launchJob } from '../jobs/launch-job.js';
import type { SavedJob } from '../jobs/saved-job.js';
import { PermissionOperations } from '../operations/permissions.js';
import { notifyMissed } from './notify-missed.js';

export type { TickServices } from './tick-services.js';

export type TickResult = 'launched' | 'skipped' | 'failed' | 'duplicate' | 'off';

/**
 * Fires one tick of a job's schedule, from whichever scheduler saw it (croner in `minke start`, a
 * BullMQ job scheduler when scaled out): claims it (so that a tick fired by two servers runs
 * once), then launches the job as its owner, unless its previous run still goes (the tick is
 * skipped with a note, or queued until that run ends, as the schedule says). Each outcome is
 * noted on the job.
 */
export async function fireTick(
  services: TickServices,
  jobId: number,
  tickAt: Date,
): Promise<TickResult> {
  const { database } = services.runtime.project;
  const jobs = new JobStore(database);
  const job = await jobs.get(jobId).catch(() => undefined);
  const schedule = job?.schedule;
  if (!job || !schedule || !schedule.enabled) return 'off';
  if (schedule.endAt !== null && tickAt.getTime() >= Date.parse(schedule.endAt)) return 'off';
  if (!(await jobs.claimTick(job.id, tickAt))) return 'duplicate';
  const ticks = new JobTickStore(database);
  // Queued ticks launch oldest first: a tick that finds an older one still queued waits behind it
  // even when no run is going (the older one is between its run's end and its next look). Looked
  // at before the runs: a tick is noted launched only once its run exists, so whichever moment
  // this falls in, one of the two is seen.
  const olderQueued =
    schedule.overlap === 'queue' ? await olderQueuedTick(services, job.id, tickAt) : undefined;
  const going = await runningRunOf(services, job.id);
  if (going !== undefined || olderQueued !== undefined) {
    const waitsFor =
      going !== undefined ? `run ${going}` : `the tick of ${olderQueued} (queued before it)`;
    if (schedule.overlap === 'skip') {
      await ticks.note({
        jobId: job.id,
        tickAt,
        outcome: 'skipped',
        note: `skipped: run ${going} of this job is still going`,
      });
      await notifyMissed(services, job, tickAt, `run ${going} of this job was still going`);
      return 'skipped';
    }
    await ticks.note({
      jobId: job.id,
      tickAt,
      outcome: 'queued',
      note: `queued: waits for ${waitsFor}${going !== undefined ? ' of this job to end' : ''}`,
    });
    const waited = await waitForPreviousRun(services, job.id, tickAt);
    if (waited !== 'ended') {
      await ticks.note({
        jobId: job.id,
        tickAt,
        outcome: 'skipped',
        note:
          waited === 'off'
            ? `skipped: the schedule was switched off while the queued tick waited for ${waitsFor}`
            : `skipped: ${waitsFor} was still going when the queued tick gave up waiting`,
      });
      return 'skipped';
    }
  }
  return launchTick(services, job, tickAt, 'launched');
}

/** Launches a job for a tick as its owner, and notes the run (or why it did not start). */
export async function launchTick(
  services: TickServices,
  job: SavedJob,
  tickAt: Date,
  note: string,
): Promise<TickResult> {
  const ticks = new JobTickStore(services.runtime.project.database);
  try {
    const user = await ownerOf(services, job);
    const actor = {
      userId: job.ownerId,
      name: `schedule of job ${job.name}`,
      via: 'schedule',
      ip: null,
    };
    const started = await runWithAuditActor(
      () => actor,
      () => launchJob(services.runtime, job, { user }),
    );
    await ticks.note({
      jobId: job.id,
      tickAt,
      outcome: 'launched',
      runId: started.runId,
      note: `${note}: run ${started.runId} on ${started.records.length} object(s)`,
    });
    return 'launched';
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    services.logger.warn({ job: job.name, err: reason }, 'a scheduled launch failed');
    await ticks.note({ jobId: job.id, tickAt, outcome: 'failed', note: `not launched: ${reason}` });
    return 'failed';
  }
}

/** The rights a scheduled launch has: its owner's as they are now (none if deactivated). */
async function ownerOf(services: TickServices, job: SavedJob): Promise<RunUser> {
  if (job.ownerId === null) return localOperator;
  const { database } = services.runtime.project;
  const row = await database.tables
    .selectFrom('minke_users')
    .select(['id', 'username', 'is_superuser', 'is_active'])
    .where('id', '=', job.ownerId)
    .executeTakeFirst();
  if (!row || !row.is_active)
    throw new Error(`the job's owner (user ${job.ownerId}) is gone or deactivated`);
  return new PermissionOperations(database).runUser({
    id: Number(row.id),
    isSuperuser: row.is_superuser,
  });
}

async function runningRunOf(services: TickServices, jobId: number): Promise<number | undefined> {
  const row = await services.runtime.project.database.tables
    .selectFrom('minke_runs')
    .select('id')
    .where('job_id', '=', jobId)
    .where('state', '!=', 'finished')
    .orderBy('id', 'desc')
    .executeTakeFirst();
  return row ? Number(row.id) : undefined;
}

/**
 * Waits (bounded) until the job has no run going and this tick is the oldest one still queued:
 * 'ended', or 'timeout' when the bound came first, or 'off' when the schedule was switched off or
 * the job deleted meanwhile (a queued tick of a schedule someone stopped does not launch later,
 * nor hold a closing server). Oldest first means two queued ticks never launch together: the
 * older one's run is going (or the older one is still queued) whenever the younger one looks.
 */
async function waitForPreviousRun(
  services: TickServices,
  jobId: number,
  tickAt: Date,
): Promise<'ended' | 'timeout' | 'off'> {
  const pollMs = services.queuePollMs ?? 1000;
  const deadline = Date.now() + queueLimitMs(services);
  const jobs = new JobStore(services.runtime.project.database);
  while (Date.now() < deadline) {
    const job = await jobs.get(jobId).catch(() => undefined);
    if (!job?.schedule?.enabled) return 'off';
    if (
      (await olderQueuedTick(services, jobId, tickAt)) === undefined &&
      (await runningRunOf(services, jobId)) === undefined
    )
      return 'ended';
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
  return 'timeout';
}

/** How long a queued tick waits at the most. */
function queueLimitMs(services: TickServices): number {
  return services.queueLimitMs ?? 3600_000;
}

/**
 * The time (ISO) of the job's oldest tick still queued before `tickAt`, if any. A queued tick
 * older than the wait's bound was given up (or its server died with it): it holds nobody up.
 */
async function olderQueuedTick(
  services: TickServices,
  jobId: number,
  tickAt: Date,
): Promise<string | undefined> {
  const ticks = new JobTickStore(services.runtime.project.database);
  const oldest = await ticks.oldestQueued(jobId, new Date(Date.now() - queueLimitMs(services)));
  return oldest !== undefined && oldest < tickAt.getTime()
    ? new Date(oldest).toISOString()
    : undefined;
}
