import { ApiError, api } from '../api/http.js';
import type { StartedRun } from '@minke/contract';

/** What a failed start says: a message (in page words, see api/page-wording.ts) and per-field reasons. */
export interface StartFailure {
  message: string;
  fields: Record<string, string>;
}

/** Posts a start (or a re-run) and turns a refusal into its message and field errors. */
export async function postRun(
  path: string,
  body: object,
): Promise<{ started: StartedRun } | { failure: StartFailure }> {
  try {
    return { started: await api<StartedRun>(path, { method: 'POST', body }) };
  } catch (error) {
    const fields = error instanceof ApiError ? error.fields : {};
    return { failure: { message: (error as Error).message, fields } };
  }
}
