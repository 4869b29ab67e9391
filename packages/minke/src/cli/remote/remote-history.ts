import type { Page, SessionRecordDetail, SessionRecordItem } from '@minke/contract';
import type { ObjectRef } from '../../runs/history.js';
import type { ApiClient } from './api-client.js';

/** `minke history` flags, checked, as the server's `GET /api/session-records` takes them. */
export interface RemoteHistoryQuery {
  object?: ObjectRef | undefined;
  session?: string | undefined;
  status?: string | undefined;
  model?: string | undefined;
  runId?: number | undefined;
  /** A user name: the server resolves it (and refuses other users to all but superusers). */
  username?: string | undefined;
  since?: Date | undefined;
  until?: Date | undefined;
  limit: number;
  offset: number;
}

/** A page of session records the token's user may see (their own; superusers: everyone's). */
export function remoteHistoryPage(
  client: ApiClient,
  query: RemoteHistoryQuery,
): Promise<Page<SessionRecordItem>> {
  return client.get<Page<SessionRecordItem>>('/api/session-records', {
    object: query.object === undefined ? undefined : objectParam(query.object),
    session: query.session,
    status: query.status,
    model: query.model,
    run: query.runId,
    user: query.username,
    since: query.since?.toISOString(),
    until: query.until?.toISOString(),
    limit: query.limit,
    offset: query.offset,
  });
}

/** One session record with its messages and commands. */
export function remoteHistoryRecord(client: ApiClient, id: number): Promise<SessionRecordDetail> {
  return client.get<SessionRecordDetail>(`/api/session-records/${id}`);
}

function objectParam(ref: ObjectRef): string {
  if ('host' in ref) return ref.host;
  // Model names are PascalCase on the server; `server:3` means `Server:3`.
  return `${ref.model.charAt(0).toUpperCase()}${ref.model.slice(1)}:${ref.id}`;
}
