import type { HostLock, HostTake } from '../host-batch-runner.js';
import { hostBusyText, type HostLeases } from '../host-lease.js';
import type { LeaseRenewers } from '../lease-renewer.js';

/**
 * A host held for one run of this process: one lease holder per run (`owner`), so that two runs
 * in one process cannot work on a host at once; renewed with the run's other hosts while the
 * batch runs. `taken`: the run took this host's lease with others before the batch began (see
 * `takeLeasesAtOnce`), and it is renewed since.
 */
export function runLease(
  leases: HostLeases,
  renewers: LeaseRenewers,
  host: { hostId: number; hostName: string },
  hold: { owner: string; runId: number; taken?: boolean },
): HostLock {
  return {
    async take(): Promise<HostTake> {
      if (hold.taken) return { kind: 'taken' };
      if (!(await leases.acquire(host.hostId, hold.owner, hold.runId))) {
        const holder = await leases.holder(host.hostId);
        return { kind: 'busy', text: hostBusyText(host.hostName, holder) };
      }
      renewers.hold(hold.owner, host.hostId);
      return { kind: 'taken' };
    },
    async release(): Promise<void> {
      renewers.drop(hold.owner, host.hostId);
      await leases.release(host.hostId, hold.owner).catch(() => undefined);
    },
  };
}

/**
 * Takes the leases of the hosts a run starts on at once (as many as `free` work slots), in one
 * statement per 500 hosts, and renews them from now on: a batch then finds its host taken. The
 * others, and any host held elsewhere, are taken by their batch as before (a busy one then says
 * who holds it). A failure here leaves every host to its batch, which meets it again.
 */
export async function takeLeasesAtOnce(
  leases: HostLeases,
  renewers: LeaseRenewers,
  hostIds: readonly number[],
  hold: { owner: string; runId: number },
): Promise<Set<number>> {
  if (hostIds.length < 2) return new Set();
  const taken = await leases
    .acquireMany(hostIds, hold.owner, hold.runId)
    .catch(() => new Set<number>());
  for (const hostId of taken) renewers.hold(hold.owner, hostId);
  return taken;
}
