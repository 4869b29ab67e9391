import type { PolicyTransition } from '@minke/contract';
import type { Logger } from '../logger.js';
import { notifyPolicyFailing } from '../notifications/hooks.js';
import type { Project } from '../operations/project.js';

/**
 * Queues a `policy.failing` notification (to the channels of the rules that listen for it) for
 * each host that started failing; a notification that cannot be queued is logged, never thrown:
 * the evaluation is stored already.
 */
export async function notifyStartedFailing(
  project: Project,
  logger: Logger,
  changed: readonly PolicyTransition[],
): Promise<void> {
  for (const change of changed) {
    if (change.passing) continue;
    try {
      await notifyPolicyFailing(project, logger, {
        policy: change.policy,
        host: change.host,
        since: change.at,
      });
    } catch (error) {
      logger.warn({ err: error, policy: change.policy }, 'policies: cannot queue a notification');
    }
  }
}
