import type { HostLease } from '@minke/contract';
import type { ApiClient } from './api-client.js';

/** Host locks as `minke hosts leases|unlock` see them: the project's or a server's. */
export interface HostLeasesSource {
  list(): Promise<HostLease[]>;
  /** Clears a host's lease; one not yet expired only with `force`. */
  clear(host: string, force: boolean): Promise<HostLease>;
}

/** `GET /api/hosts/leases` and `DELETE /api/hosts/NAME/lease` (superusers only). */
export function remoteHostLeases(client: ApiClient): HostLeasesSource {
  return {
    list: () => client.get<HostLease[]>('/api/hosts/leases'),
    clear: (host, force) =>
      client.delete<HostLease>(`/api/hosts/${encodeURIComponent(host)}/lease`, {
        ...(force ? { force: 'true' } : {}),
      }),
  };
}
