/**
 * Delays between attempts to reach a broker that is away: doubling from `minMs` up to `maxMs`,
 * each drawn at random from the upper half of its step ("equal jitter"), so that many servers
 * and agents cut off together do not come back in step.
 *
 * @example
 *   const backoff = new ReconnectBackoff({ minMs: 1000, maxMs: 30_000 });
 *   setTimeout(reconnect, backoff.next()); // 0.5-1 s, then 1-2 s, 2-4 s, ... 15-30 s
 *   backoff.reset(); // once connected
 */
export class ReconnectBackoff {
  private attempt = 0;

  constructor(
    private readonly limits: { minMs: number; maxMs: number },
    private readonly random: () => number = Math.random,
  ) {}

  /** The delay before the next attempt. */
  next(): number {
    const { minMs, maxMs } = this.limits;
    const ceiling = Math.min(maxMs, minMs * 2 ** Math.min(this.attempt, 30));
    this.attempt++;
    return Math.round(ceiling / 2 + this.random() * (ceiling / 2));
  }

  /** Attempts made since the last reset. */
  get attempts(): number {
    return this.attempt;
  }

  reset(): void {
    this.attempt = 0;
  }
}
