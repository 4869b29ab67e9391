import {
  FINAL_TARGET_STATES,
  type RequestStatus,
  type TargetState,
} from '@minke/contract/api/agents';
import { NotFoundError } from '../errors.js';

/** A node's outcome once waiting ended: a final state, or `timeout` with where it stood. */
export interface NodeOutcome {
  node: string;
  state: TargetState | 'timeout';
  error: string | null;
}

export interface WaitOptions {
  timeoutMs: number;
  /** How often the status is read. Default 200 ms (the project's ledger) or more (a server). */
  pollMs?: number;
  signal?: AbortSignal;
  /** Called once for each node when its outcome is final. */
  onFinal?: (outcome: NodeOutcome) => void;
}

/** Reads a request's status: the project's ledger, or `GET /api/dispatch/ID` on a server. */
export type ReadRequestStatus = (id: string) => Promise<RequestStatus | undefined>;

/**
 * Waits until every node of a request has answered, failed or expired, or the time is up, reading
 * its status again and again (so it works from any process, or through a server). Nodes still
 * open at the end are `timeout`.
 */
export async function waitForRequestStatus(
  readStatus: ReadRequestStatus,
  requestId: string,
  options: WaitOptions,
): Promise<{ status: RequestStatus; outcomes: NodeOutcome[] }> {
  const deadline = Date.now() + options.timeoutMs;
  const reported = new Set<string>();
  const pollMs = options.pollMs ?? 200;
  for (let round = 0; ; round++) {
    const status = await readStatus(requestId);
    if (!status) throw new NotFoundError(`request ${requestId} does not exist`);
    for (const target of status.targets) {
      if (!FINAL_TARGET_STATES.includes(target.state) || reported.has(target.node)) continue;
      reported.add(target.node);
      options.onFinal?.({ node: target.node, state: target.state, error: target.error });
    }
    const open = status.targets.filter((t) => !FINAL_TARGET_STATES.includes(t.state));
    const timedOut = Date.now() >= deadline || options.signal?.aborted === true;
    if (open.length === 0 || timedOut || round > 1_000_000) {
      const outcomes = status.targets.map((t): NodeOutcome =>
        FINAL_TARGET_STATES.includes(t.state)
          ? { node: t.node, state: t.state, error: t.error }
          : { node: t.node, state: 'timeout', error: `no answer (${t.state})` },
      );
      return { status, outcomes };
    }
    await sleep(Math.min(pollMs, Math.max(1, deadline - Date.now())), options.signal);
  }
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
