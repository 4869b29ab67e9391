import type { Logger } from '../../logger.js';
import type { HostLock, HostTake } from '../host-batch-runner.js';
import { hostBusyText, type HostLeases } from '../host-lease.js';

/**
 * A host held for one run of this process: one lease holder per run (`owner`), so that two runs
 * in one process cannot work on a host at once; renewed every third of its lifetime while the
 * batch runs.
 */
export function runLease(
  leases: HostLeases,
  host: { hostId: number; hostName: string },
  hold: { owner: string; runId: number; ttlMs: number },
  logger: Logger,
): HostLock {
  let renewal: NodeJS.Timeout | undefined;
  return {
    async take(): Promise<HostTake> {
      if (!(await leases.acquire(host.hostId, hold.owner, hold.runId))) {
        const holder = await leases.holder(host.hostId);
        return { kind: 'busy', text: hostBusyText(host.hostName, holder) };
      }
      renewal = setInterval(
        () => {
          leases
            .renew(host.hostId, hold.owner)
            .catch((error: unknown) =>
              logger.warn({ err: error, host: host.hostName }, 'lease renewal failed'),
            );
        },
        Math.max(1000, Math.floor(hold.ttlMs / 3)),
      );
      return { kind: 'taken' };
    },
    async release(): Promise<void> {
      clearInterval(renewal);
      await leases.release(host.hostId, hold.owner).catch(() => undefined);
    },
  };
}
