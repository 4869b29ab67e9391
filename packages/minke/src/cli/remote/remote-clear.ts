import type { ClearReply } from '@minke/contract';
import type { ApiClient } from './api-client.js';

/** What `minke clear` selects: exactly one of ids, where, all. */
export interface ClearSelection {
  model: string;
  ids?: string[] | undefined;
  where?: string | undefined;
  all?: boolean | undefined;
}

/**
 * `POST /api/records/MODEL/clear`: the token user's current sessions on the selected objects
 * stop showing in their lists (the model's view permission); the history keeps every record.
 */
export function clearOnServer(client: ApiClient, selection: ClearSelection): Promise<ClearReply> {
  const { model, ids, where, all } = selection;
  return client.post<ClearReply>(`/api/records/${encodeURIComponent(model)}/clear`, {
    ...(ids ? { ids } : {}),
    ...(where !== undefined ? { where } : {}),
    ...(all ? { all } : {}),
  });
}
