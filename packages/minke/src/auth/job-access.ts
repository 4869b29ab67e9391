import { may } from '../auth/access.js';
import type { RunUser } from '../auth/run-user.js';
import { PermissionDenied } from '../errors.js';

/** See saved jobs, their schedules and ticks; launch them (with their session's run permission). */
export const VIEW_JOBS = 'view_jobs';
/** Create, change, enable, disable and delete saved jobs. */
export const MANAGE_JOBS = 'manage_jobs';

export const jobPermissions = [
  {
    codename: VIEW_JOBS,
    name: 'Can see saved jobs and launch them (with the run permission of their session)',
  },
  { codename: MANAGE_JOBS, name: 'Can create, change and delete saved jobs and their schedules' },
] as const;

export function mayViewJobs(user: RunUser): boolean {
  return may(user, VIEW_JOBS) || may(user, MANAGE_JOBS);
}

export function requireViewJobs(user: RunUser): void {
  if (!mayViewJobs(user))
    throw new PermissionDenied(`you may not see saved jobs: it needs the permission ${VIEW_JOBS}`);
}

export function requireManageJobs(user: RunUser): void {
  if (!may(user, MANAGE_JOBS))
    throw new PermissionDenied(
      `you may not create or change saved jobs: it needs the permission ${MANAGE_JOBS}`,
    );
}
