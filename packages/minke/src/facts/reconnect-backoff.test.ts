import { describe, expect, it } from 'vitest';
import { ReconnectBackoff } from './reconnect-backoff.js';

describe('ReconnectBackoff', () => {
  it('doubles up to the cap, each delay in the upper half of its step, and starts over on reset', () => {
    const low = new ReconnectBackoff({ minMs: 1000, maxMs: 30_000 }, () => 0);
    const high = new ReconnectBackoff({ minMs: 1000, maxMs: 30_000 }, () => 1);
    const steps = (backoff: ReconnectBackoff) => Array.from({ length: 8 }, () => backoff.next());
    expect(steps(low)).toEqual([500, 1000, 2000, 4000, 8000, 15_000, 15_000, 15_000]);
    expect(steps(high)).toEqual([1000, 2000, 4000, 8000, 16_000, 30_000, 30_000, 30_000]);
    expect(high.attempts).toBe(8);
    high.reset();
    expect(high.next()).toBe(1000);
  });

  it('stays at the cap however long the broker is away', () => {
    const backoff = new ReconnectBackoff({ minMs: 1000, maxMs: 30_000 }, () => 1);
    for (let i = 0; i < 1000; i++) backoff.next();
    expect(backoff.next()).toBe(30_000);
  });
});
