import { notificationRule, type NotificationRule } from '@minke/contract';
import { z } from 'zod';
import type { Database } from '../store/database.js';

/** The saved job a run was launched from, with its notification rules. */
export interface RunJob {
  id: number;
  name: string;
  rules: NotificationRule[];
}

const jobRules = z.array(notificationRule);

/**
 * The job of a run (src/jobs/ keeps `minke_runs.job_id` and each job's `notify` rules). Read
 * through the untyped handle so that notifications work, job-less, on a database without jobs;
 * rules that do not parse are left out (the jobs API checks them when they are saved).
 */
export async function jobOfRun(database: Database, runId: number): Promise<RunJob | undefined> {
  try {
    const run: { job_id: number | null } | undefined = await database.db
      .selectFrom('minke_runs')
      .select('job_id')
      .where('id', '=', runId)
      .executeTakeFirst();
    if (!run?.job_id) return undefined;
    const job: { id: number; name: string; notify: unknown } | undefined = await database.db
      .selectFrom('minke_jobs')
      .select(['id', 'name', 'notify'])
      .where('id', '=', run.job_id)
      .executeTakeFirst();
    if (!job) return undefined;
    const raw: unknown = typeof job.notify === 'string' ? JSON.parse(job.notify) : job.notify;
    const rules = jobRules.safeParse(raw ?? []);
    return { id: Number(job.id), name: job.name, rules: rules.success ? rules.data : [] };
  } catch {
    return undefined; // no jobs table (yet): an ad-hoc run
  }
}
