import { api } from '../api/http.js';
import type { RunStopReply, StopOutcome } from '@minke/contract';

/** What stopping did to one session record. */
export type StopReply = RunStopReply['outcomes'][number];

/** Stops one session (a second call kills its command). */
export async function stopSession(recordId: number): Promise<StopReply[]> {
  const reply = await api<{ outcome: StopOutcome }>(`/api/session-records/${recordId}/stop`, {
    method: 'POST',
  });
  return [{ recordId, outcome: reply.outcome }];
}

/** Stops every session of a run that is not done (a second call kills). */
export async function stopRun(runId: number): Promise<StopReply[]> {
  const reply = await api<RunStopReply>(`/api/runs/${runId}/stop`, {
    method: 'POST',
  });
  return reply.outcomes ?? [];
}
