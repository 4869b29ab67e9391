import type { HostLock, HostTake } from '../host-batch-runner.js';
import { hostBusyText, type HostLeases } from '../host-lease.js';
import type { LeaseRenewers } from '../lease-renewer.js';

/**
 * A host held for one run of this process: one lease holder per run (`owner`), so that two runs
 * in one process cannot work on a host at once; renewed with the run's other hosts while the
 * batch runs.
 */
export function runLease(
  leases: HostLeases,
  renewers: LeaseRenewers,
  host: { hostId: number; hostName: string },
  hold: { owner: string; runId: number },
): HostLock {
  return {
    async take(): Promise<HostTake> {
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
