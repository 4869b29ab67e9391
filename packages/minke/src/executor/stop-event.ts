import type { EventBus } from '../events/event-bus.js';
import type { RunStore } from '../runs/run-store.js';
import type { StopOutcome } from './executor.js';

/**
 * Counts a stop request for a running session and, on the first, tells every watcher at once
 * that it is stopping (the session itself only ends after its current command). The record's
 * identity is read before the request, so that the event follows the state change with no wait
 * in between: a session that finishes meanwhile is seen as finished and gets no late event.
 */
export async function requestStopAndTell(
  runs: RunStore,
  bus: EventBus,
  recordId: number,
): Promise<StopOutcome> {
  const identity = await runs.identity(recordId);
  const state = await runs.requestStop(recordId);
  if (!state || !identity) return 'unknown';
  if (state.processState !== 'stopping') return 'finished';
  if (state.stopRequests === 1) {
    bus.publish({
      type: 'session.state',
      runId: identity.runId,
      recordId,
      objectId: identity.objectId,
      objectLabel: identity.objectLabel,
      hostName: identity.hostName,
      processState: 'stopping',
      result: state.result,
      at: new Date().toISOString(),
    });
  }
  return state.stopRequests >= 2 ? 'killing' : 'stopping';
}
