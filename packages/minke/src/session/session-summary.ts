import type { SessionInfo } from './session-registry.js';

/**
 * What every description of a session starts with (the API's catalog, `minke sessions`): its
 * names, group, models, whether it asks to confirm, whether it runs per host in parallel, its
 * time limit, and the permissions it declares (the one that runs it apart).
 * Unset optional texts are null, as JSON replies carry them.
 */
export function sessionSummary(info: SessionInfo) {
  return {
    name: info.name,
    verboseName: info.verboseName,
    group: info.group ?? null,
    description: info.description ?? null,
    models: info.models,
    confirm: info.confirm,
    parallelPerHost: info.parallelPerHost,
    timeoutMs: info.timeoutMs ?? null,
    permissions: info.permissions,
    runPermission: info.runPermission ?? null,
  };
}
