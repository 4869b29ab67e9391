import { describe, expect, it } from 'vitest';
import { reconnectDelay } from './mqtt-client.js';

describe('reconnectDelay', () => {
  it('grows exponentially up to the maximum, with jitter between half and all of it', () => {
    expect(reconnectDelay(0, 1000, 60_000, () => 0)).toBe(500);
    expect(reconnectDelay(0, 1000, 60_000, () => 1)).toBe(1000);
    expect(reconnectDelay(3, 1000, 60_000, () => 1)).toBe(8000);
    expect(reconnectDelay(20, 1000, 60_000, () => 1)).toBe(60_000);
    expect(reconnectDelay(1000, 1000, 60_000, () => 0)).toBe(30_000);
    for (let i = 0; i < 100; i++) {
      const delay = reconnectDelay(2, 1000, 60_000);
      expect(delay).toBeGreaterThanOrEqual(2000);
      expect(delay).toBeLessThanOrEqual(4000);
    }
  });
});
