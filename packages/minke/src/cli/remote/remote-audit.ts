import type { AuditEntry } from '@minke/contract';
import type { AuditVerdict } from '@minke/contract';
import { RemoteError, type ApiClient } from './api-client.js';

/** `minke audit`'s filters, checked, as `GET /api/audit` takes them. */
export interface AuditListQuery {
  actor?: string | undefined;
  action?: string | undefined;
  target?: string | undefined;
  since?: string | undefined;
  until?: string | undefined;
  limit: number;
  offset: number;
}

/**
 * The audit log as `minke audit` reads it: from the local project's database or, with `--server`,
 * through a server's API as the token's user (a superuser or view_audit).
 */
export interface AuditSource {
  list(query: AuditListQuery): Promise<{ items: AuditEntry[]; total: number }>;
  /** Walks the hash chain where the rows are (the server's database, with `--server`). */
  verify(): Promise<AuditVerdict>;
}

const VERIFY_PATH = '/api/audit/verify';

/** `GET /api/audit` with the filters the CLI took, and `GET /api/audit/verify`. */
export function remoteAudit(client: ApiClient): AuditSource {
  return {
    list: (query) =>
      client.get<{ items: AuditEntry[]; total: number }>('/api/audit', {
        actor: query.actor,
        action: query.action,
        target: query.target,
        since: query.since,
        until: query.until,
        limit: query.limit,
        offset: query.offset,
      }),
    async verify() {
      try {
        return await client.get<AuditVerdict>(VERIFY_PATH);
      } catch (error) {
        // A server from before the route: say what to do instead of "no route".
        if (error instanceof RemoteError && error.status === 404)
          throw new Error(
            `the server at ${client.url} cannot verify its audit log through the API (no GET ${VERIFY_PATH}): run \`minke audit verify\` on its project`,
          );
        throw error;
      }
    },
  };
}
