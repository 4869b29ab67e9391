import type { StoreAdapter } from '../adapter.js';
import { hostsAndUsers } from './0001-hosts-and-users.js';
import type { Migration } from './migration.js';
import { sessionRuns } from './0002-session-runs.js';
import { permissions } from './0003-permissions.js';
import { agentsAndFacts } from './0004-agents-and-facts.js';
import { auth } from './0005-auth.js';
import { runStateIndexes } from './0006-run-state-indexes.js';
import { agentRefusals } from './0007-agent-refusals.js';
import { commandOutput } from './0008-command-output.js';
import { executorOwners } from './0009-executor-owners.js';
import { credentials } from './0010-credentials.js';
import { hostKeys } from './0011-host-keys.js';
import { auditLog } from './0012-audit-log.js';
import { sessionClears } from './0013-session-clears.js';
import { jobsAndSchedules } from './0014-jobs-and-schedules.js';
import { rolloutsAndNotifications } from './0015-rollouts-and-notifications.js';
import { policies } from './0016-policies.js';
import { inventorySources } from './0017-inventory-sources.js';
import { agentPresence } from './0018-agent-presence.js';
import { listIndexes } from './0019-list-indexes.js';
import { currentSessionIndex } from './0020-current-session-index.js';
import { runRecordsIndex } from './0021-run-records-index.js';
import { runSecretValues } from './0022-run-secret-values.js';
import { agentListIndex } from './0023-agent-list-index.js';
import { auditTargetIndex } from './0024-audit-target-index.js';
import { runTimeLimits } from './0025-run-time-limits.js';
import { runWideLimits } from './0026-run-wide-limits.js';

/**
 * Minke's own schema, in order. Names sort in application order; a migration, once released, is
 * never edited: a change is a new entry.
 */
export function minkeMigrations(adapter: StoreAdapter): Record<string, Migration> {
  return {
    '0001-hosts-and-users': hostsAndUsers(adapter),
    '0002-session-runs': sessionRuns(adapter),
    '0003-permissions': permissions(adapter),
    '0004-agents-and-facts': agentsAndFacts(adapter),
    '0005-auth': auth(adapter),
    '0006-run-state-indexes': runStateIndexes(adapter),
    '0007-agent-refusals': agentRefusals(adapter),
    '0008-command-output': commandOutput(adapter),
    '0009-executor-owners': executorOwners(adapter),
    '0010-credentials': credentials(adapter),
    '0011-host-keys': hostKeys(adapter),
    '0012-audit-log': auditLog(adapter),
    '0013-session-clears': sessionClears(adapter),
    '0014-jobs-and-schedules': jobsAndSchedules(adapter),
    '0015-rollouts-and-notifications': rolloutsAndNotifications(adapter),
    '0016-policies': policies(adapter),
    '0017-inventory-sources': inventorySources(adapter),
    '0018-agent-presence': agentPresence(adapter),
    '0019-list-indexes': listIndexes(adapter),
    '0020-current-session-index': currentSessionIndex(),
    '0021-run-records-index': runRecordsIndex(),
    '0022-run-secret-values': runSecretValues(adapter),
    '0023-agent-list-index': agentListIndex(adapter),
    '0024-audit-target-index': auditTargetIndex(),
    '0025-run-time-limits': runTimeLimits(adapter),
    '0026-run-wide-limits': runWideLimits(adapter),
  };
}
