import { notificationRule, type NotificationRule } from '@minke/contract/api/notifications';
import { z } from 'zod';
import { JobStore } from '../jobs/job-store.js';
import type { Database } from '../store/database.js';

/** The saved job a run was launched from, with its notification rules. */
export interface RunJob {
  id: number;
  name: string;
  rules: NotificationRule[];
}

const jobRules = z.array(notificationRule);

/**
 * The job of a run, read through JobStore (the one owner of `minke_jobs`). Rules that do not
 * parse are left out (the jobs API checks them when they are saved); a run whose job cannot be
 * read is notified as an ad-hoc run rather than not at all.
 */
export async function jobOfRun(database: Database, runId: number): Promise<RunJob | undefined> {
  try {
    const job = await new JobStore(database).ofRun(runId);
    if (!job) return undefined;
    const rules = jobRules.safeParse(job.notify ?? []);
    return { id: job.id, name: job.name, rules: rules.success ? rules.data : [] };
  } catch {
    return undefined;
  }
}
