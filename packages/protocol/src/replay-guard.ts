import type { Outcome } from './messages.js';

export interface ReplayGuardOptions {
  /** The most request ids remembered at once. Default 10 000. */
  capacity?: number;
}

/** The guard's state as plain JSON, so an agent can keep it across restarts. */
export interface ReplayGuardSnapshot {
  v: 1;
  /** Requests that expire at or before this time (ms since epoch) are refused; see `admit`. */
  floor: number;
  entries: Array<[id: string, expiresAtMs: number]>;
}

/**
 * Remembers the ids of the requests it admitted until they expire, so that a request copied off
 * the wire and published again is refused. An expired request is refused anyway, so nothing needs
 * remembering past its expiry.
 *
 * Memory is bounded by `capacity`. When the guard is full it forgets the entry that expires first
 * and raises a floor to that expiry: from then on it refuses any request expiring at or before the
 * floor, because it could no longer tell a replay of the forgotten one from a new one. It fails
 * closed; a server that sends more than `capacity` live requests to one node should use shorter
 * expiries.
 *
 * @example
 *   const guard = new ReplayGuard();
 *   guard.admit(request.id, Date.parse(request.expiresAt)); // { ok: true }
 *   guard.admit(request.id, Date.parse(request.expiresAt)); // { ok: false, reason: 'replayed: ...' }
 */
export class ReplayGuard {
  readonly capacity: number;
  private readonly seen = new Map<string, number>();
  private floor = 0;
  private lastPrune = 0;

  constructor(options: ReplayGuardOptions = {}) {
    this.capacity = Math.max(1, Math.floor(options.capacity ?? 10_000));
  }

  /** Rebuilds a guard from a snapshot; entries that do not look right are skipped. */
  static restore(snapshot: unknown, options: ReplayGuardOptions = {}): ReplayGuard {
    const guard = new ReplayGuard(options);
    if (typeof snapshot !== 'object' || snapshot === null) return guard;
    const { floor, entries } = snapshot as Partial<ReplayGuardSnapshot>;
    if (typeof floor === 'number' && Number.isFinite(floor)) guard.floor = floor;
    if (!Array.isArray(entries)) return guard;
    const valid = entries.filter(
      (entry): entry is [string, number] =>
        Array.isArray(entry) && typeof entry[0] === 'string' && Number.isFinite(entry[1]),
    );
    valid.sort((a, b) => b[1] - a[1]);
    for (const [id, expiresAtMs] of valid.slice(0, guard.capacity)) guard.seen.set(id, expiresAtMs);
    // Entries beyond capacity are forgotten the same way `admit` forgets them: by raising the floor.
    const firstDropped = valid[guard.capacity];
    if (firstDropped) guard.floor = Math.max(guard.floor, firstDropped[1]);
    return guard;
  }

  get size(): number {
    return this.seen.size;
  }

  /** Whether `id` was admitted and has not expired yet. */
  has(id: string, nowMs: number = Date.now()): boolean {
    const expiresAtMs = this.seen.get(id);
    return expiresAtMs !== undefined && expiresAtMs > nowMs;
  }

  /** Admits a request id once; refuses it when it was seen, has expired or cannot be told apart. */
  admit(id: string, expiresAtMs: number, nowMs: number = Date.now()): Outcome<void> {
    if (!(expiresAtMs > nowMs)) return { ok: false, reason: 'expired' };
    if (this.has(id, nowMs))
      return { ok: false, reason: `replayed: request ${id} was already seen` };
    if (expiresAtMs <= this.floor) return { ok: false, reason: this.floorReason() };
    this.pruneNowAndThen(nowMs);
    if (this.seen.size >= this.capacity) {
      const [oldestId, oldestExpiry] = this.entryExpiringFirst();
      if (expiresAtMs <= oldestExpiry) {
        this.floor = Math.max(this.floor, expiresAtMs);
        return { ok: false, reason: this.floorReason() };
      }
      this.seen.delete(oldestId);
      this.floor = Math.max(this.floor, oldestExpiry);
    }
    this.seen.set(id, expiresAtMs);
    return { ok: true, value: undefined };
  }

  /** Forgets every id that has expired at `nowMs`. */
  prune(nowMs: number = Date.now()): void {
    for (const [id, expiresAtMs] of this.seen) {
      if (expiresAtMs <= nowMs) this.seen.delete(id);
    }
    this.lastPrune = nowMs;
  }

  snapshot(): ReplayGuardSnapshot {
    return { v: 1, floor: this.floor, entries: [...this.seen] };
  }

  private pruneNowAndThen(nowMs: number): void {
    if (this.seen.size >= this.capacity || nowMs - this.lastPrune >= 60_000) this.prune(nowMs);
  }

  private entryExpiringFirst(): [string, number] {
    let first: [string, number] = ['', Number.POSITIVE_INFINITY];
    for (const entry of this.seen) {
      if (entry[1] < first[1]) first = entry;
    }
    return first;
  }

  private floorReason(): string {
    return `refused: the replay guard is full and cannot prove this request is new (raise its capacity or use shorter expiries)`;
  }
}
