import type { Logger } from '../../logger.js';
import type { HostLeases } from '../host-lease.js';
import { LeaseRenewer } from '../lease-renewer.js';

interface Hold {
  count: number;
  runId: number;
}

/**
 * The hosts one worker holds. Several batches of one run on one host share the worker's lease
 * (a batch of another run is refused, so runs never overlap on a host); it is renewed while any of
 * them runs (all of the worker's leases in one statement a turn) and released after the last.
 * Lease changes of one host go one at a time, so a release and a new take cannot cross in the
 * database.
 */
export class HostHolds {
  private readonly holds = new Map<number, Hold>();
  private readonly queues = new Map<number, Promise<unknown>>();
  private readonly renewer: LeaseRenewer;

  constructor(
    private readonly leases: HostLeases,
    private readonly owner: string,
    ttlMs: number,
    logger: Logger,
    /** Called when a renewal finds the lease taken: this worker must stop working on the host. */
    private readonly onLost: (hostId: number) => void,
  ) {
    this.renewer = new LeaseRenewer(leases, owner, Math.max(250, Math.floor(ttlMs / 3)), logger);
  }

  /** Takes (or shares) the host; false when another owner holds an unexpired lease. */
  take(hostId: number, runId: number): Promise<boolean> {
    return this.serial(hostId, async () => {
      const hold = this.holds.get(hostId);
      if (hold) {
        // Batches of the same run share the host; another run waits its turn, as in one process.
        if (hold.runId !== runId) return false;
        hold.count++;
        return true;
      }
      if (!(await this.leases.acquire(hostId, this.owner, runId))) return false;
      this.holds.set(hostId, { count: 1, runId });
      this.renewer.hold(hostId, () => this.onLost(hostId));
      return true;
    });
  }

  release(hostId: number): Promise<void> {
    return this.serial(hostId, async () => {
      const hold = this.holds.get(hostId);
      if (!hold || --hold.count > 0) return;
      this.renewer.drop(hostId);
      this.holds.delete(hostId);
      await this.leases.release(hostId, this.owner);
    });
  }

  /** Stops renewing everything and releases every lease (a worker shutting down). */
  async releaseAll(): Promise<void> {
    await Promise.allSettled(
      [...this.holds.keys()].map((hostId) =>
        this.serial(hostId, async () => {
          const hold = this.holds.get(hostId);
          if (!hold) return;
          this.renewer.drop(hostId);
          this.holds.delete(hostId);
          await this.leases.release(hostId, this.owner);
        }),
      ),
    );
  }

  private serial<T>(hostId: number, task: () => Promise<T>): Promise<T> {
    const previous = this.queues.get(hostId) ?? Promise.resolve();
    const next = previous.then(task, task);
    const settled = next.catch(() => undefined);
    this.queues.set(hostId, settled);
    void settled.then(() => {
      if (this.queues.get(hostId) === settled) this.queues.delete(hostId);
    });
    return next;
  }
}
