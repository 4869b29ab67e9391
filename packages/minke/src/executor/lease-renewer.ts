import type { Logger } from '../logger.js';
import type { HostLeases } from './host-lease.js';

/**
 * Renews every lease one holder (`owner`) has, on one timer and in one statement per turn: a
 * worker on 500 hosts renewed each on a timer of its own, 500 statements that waited in the
 * database pool behind the sessions' own writes, and a renewal that waited too long was lost.
 * A lease found taken by another process calls that host's `onLost`.
 */
export class LeaseRenewer {
  /** Each hold is an object of its own: a host dropped and held again during a turn is new. */
  private readonly held = new Map<number, { onLost: () => void }>();
  private timer: NodeJS.Timeout | undefined;
  private turn: Promise<void> | undefined;

  constructor(
    private readonly leases: HostLeases,
    private readonly owner: string,
    private readonly everyMs: number,
    private readonly logger: Logger,
  ) {}

  /** Renews this host's lease from the next turn on, until `drop`. */
  hold(hostId: number, onLost: () => void = () => undefined): void {
    this.held.set(hostId, { onLost });
    this.timer ??= setInterval(() => void this.renewNow(), this.everyMs);
  }

  drop(hostId: number): void {
    this.held.delete(hostId);
    if (this.held.size === 0) this.stop();
  }

  /** Stops renewing (the leases themselves are the caller's to release). */
  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  get size(): number {
    return this.held.size;
  }

  /** One turn; a turn still waiting for the database is not doubled. */
  renewNow(): Promise<void> {
    this.turn ??= this.renew().finally(() => {
      this.turn = undefined;
    });
    return this.turn;
  }

  private async renew(): Promise<void> {
    const holds = [...this.held];
    if (holds.length === 0) return;
    let kept: Set<number>;
    try {
      kept = await this.leases.renewAll(
        holds.map(([hostId]) => hostId),
        this.owner,
      );
    } catch (error) {
      this.logger.warn({ err: error, hosts: holds.length }, 'lease renewal failed');
      return;
    }
    for (const [hostId, hold] of holds) {
      // Kept, or dropped (and maybe held again) while the statement ran: nothing to say.
      if (kept.has(hostId) || this.held.get(hostId) !== hold) continue;
      this.logger.error({ hostId }, 'host lease lost: another process took the host');
      this.held.delete(hostId);
      hold.onLost();
    }
    if (this.held.size === 0) this.stop();
  }
}

/** One renewer per holder (a process runs each run as a holder of its own), while it holds a host. */
export class LeaseRenewers {
  private readonly byOwner = new Map<string, LeaseRenewer>();

  constructor(
    private readonly leases: HostLeases,
    private readonly everyMs: number,
    private readonly logger: Logger,
  ) {}

  hold(owner: string, hostId: number): void {
    let renewer = this.byOwner.get(owner);
    if (!renewer) {
      renewer = new LeaseRenewer(this.leases, owner, this.everyMs, this.logger);
      this.byOwner.set(owner, renewer);
    }
    renewer.hold(hostId);
  }

  drop(owner: string, hostId: number): void {
    const renewer = this.byOwner.get(owner);
    if (!renewer) return;
    renewer.drop(hostId);
    if (renewer.size === 0) this.byOwner.delete(owner);
  }

  stop(): void {
    for (const renewer of this.byOwner.values()) renewer.stop();
    this.byOwner.clear();
  }
}
