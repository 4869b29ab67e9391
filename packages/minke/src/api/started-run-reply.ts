import type { StartedRun as StartedRunReply } from '@minke/contract';
import type { StartedRun } from '../operations/start-run.js';

/** The reply of a route that started a run (start, re-run, remediate, launch a job). */
export function startedRunReply(started: StartedRun): StartedRunReply {
  return {
    id: started.runId,
    session: started.session.name,
    model: started.model,
    records: started.records,
  };
}
