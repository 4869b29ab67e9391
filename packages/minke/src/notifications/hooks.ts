import type { NotificationRule } from '@minke/contract';
import type { Logger } from '../logger.js';
import type { Project } from '../operations/project.js';
import { notifierOf } from './start-notifications.js';

/**
 * For the scheduler of saved jobs: a tick was missed (Minke was down, the previous run still
 * going). Queues a `schedule.missed` notification to the channels of the global rules and of
 * `rules` (the job's own); the server's sender delivers it. Never throws for a delivery problem.
 *
 * @example await notifyScheduleMissed(project, logger, { job: 'nightly', tickAt, reason: 'Minke was down', rules: job.notify });
 */
export async function notifyScheduleMissed(
  project: Project,
  logger: Logger,
  input: {
    job: string;
    tickAt: Date | string;
    reason: string;
    rules?: readonly NotificationRule[];
  },
): Promise<number> {
  return notifierOf(project, logger).scheduleMissed(input);
}

/**
 * For the policies: a policy started failing on a host. Queues a `policy.failing`
 * notification to the channels of the global rules that listen for it.
 *
 * @example await notifyPolicyFailing(project, logger, { policy: 'ssh-hardened', host: 'web-1', since });
 */
export async function notifyPolicyFailing(
  project: Project,
  logger: Logger,
  input: { policy: string; host: string; since?: Date | string; reason?: string },
): Promise<number> {
  return notifierOf(project, logger).policyFailing(input);
}
