import { ConflictError, NotFoundError } from '../errors.js';
import { HostLeases } from '../executor/host-lease.js';
import { HostLeaseRows, type LeaseRow } from '../executor/host-lease-rows.js';
import type { Database } from '../store/database.js';

/** A host lock as an admin sees it (the original's `minkeadm -L`). */
export interface HostLeaseView {
  host: string;
  hostId: number;
  /** The process holding it (`host:pid:...` of a server or worker). */
  owner: string;
  runId: number | null;
  /** The session of that run, when the run is still recorded. */
  session: string | null;
  /** When the run holding the lease started (a lease is taken for a run's batch on the host). */
  since: string | null;
  expiresAt: string;
  /** Its holder stopped renewing it: the executor would take it over at the next run. */
  expired: boolean;
}

/**
 * Every host lease, by host name, with the run that holds it. Read from the lease table the
 * executors write (`HostLeases`); listing takes nothing and changes nothing.
 */
export async function listHostLeases(
  database: Database,
  now = new Date(),
): Promise<HostLeaseView[]> {
  const rows = await new HostLeaseRows(database).all();
  return rows.map((row) => viewOf(row, now));
}

/**
 * Clears a host's lease so the next run may take the host at once. A lease that has not expired
 * may belong to a run still working on the host, so it is refused unless `force` is given; a
 * lease renewed or taken over between the check and the delete is left alone.
 */
export async function clearHostLease(
  database: Database,
  hostName: string,
  options: { force?: boolean | undefined; now?: Date } = {},
): Promise<HostLeaseView> {
  const now = options.now ?? new Date();
  const rows = new HostLeaseRows(database);
  const hostId = await rows.hostId(hostName);
  if (hostId === undefined) throw new NotFoundError(`host ${hostName} does not exist`);
  const row = await rows.ofHost(hostId);
  if (!row) throw new NotFoundError(`host ${hostName} holds no lease: nothing to unlock`);
  const lease = viewOf(row, now);
  if (!lease.expired && !options.force)
    throw new ConflictError(
      `the lease on ${hostName} has not expired (held by ${lease.owner}${lease.runId === null ? '' : ` for run ${lease.runId}`} until ${lease.expiresAt}): that run may still be working on the host; clear it anyway with --force (API: ?force=true)`,
    );
  // Exactly the lease that was read: the lease store's, the one writer of leases.
  const released = await new HostLeases(database, 0).releaseExpired(
    hostId,
    row.owner,
    row.expires_at,
  );
  if (!released)
    throw new ConflictError(
      `the lease on ${hostName} changed while it was being cleared (renewed or taken over): look again`,
    );
  return lease;
}

function viewOf(row: LeaseRow, now: Date): HostLeaseView {
  return {
    host: row.host,
    hostId: row.hostId,
    owner: row.owner,
    runId: row.runId,
    session: row.session,
    since: row.created_at,
    expiresAt: row.expires_at,
    expired: new Date(row.expires_at).getTime() < now.getTime(),
  };
}
