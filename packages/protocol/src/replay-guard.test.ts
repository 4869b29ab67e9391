import { describe, expect, it } from 'vitest';
import { ReplayGuard } from './replay-guard.js';

const now = 1_700_000_000_000;

describe('ReplayGuard', () => {
  it('admits an id once and refuses it again until it expires', () => {
    const guard = new ReplayGuard();
    expect(guard.admit('a', now + 1000, now)).toEqual({ ok: true, value: undefined });
    expect(guard.admit('a', now + 1000, now + 10)).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/^replayed/),
    });
    expect(guard.has('a', now)).toBe(true);
    expect(guard.admit('b', now + 1000, now)).toMatchObject({ ok: true });
  });

  it('refuses expired ids and forgets ids once expired', () => {
    const guard = new ReplayGuard();
    expect(guard.admit('old', now - 1, now)).toEqual({ ok: false, reason: 'expired' });
    guard.admit('a', now + 1000, now);
    guard.prune(now + 1000);
    expect(guard.size).toBe(0);
    // A replay after expiry is refused by the expiry check, not by memory.
    expect(guard.admit('a', now + 1000, now + 1000)).toEqual({ ok: false, reason: 'expired' });
  });

  it('keeps memory bounded and fails closed when full', () => {
    const guard = new ReplayGuard({ capacity: 3 });
    for (const [i, id] of ['a', 'b', 'c'].entries()) {
      expect(guard.admit(id, now + 1000 * (i + 1), now).ok).toBe(true);
    }
    // Full: admitting d forgets a (expiring first) and raises the floor to a's expiry.
    expect(guard.admit('d', now + 5000, now).ok).toBe(true);
    expect(guard.size).toBe(3);
    // A replay of a cannot be recognised any more, so anything expiring by then is refused.
    expect(guard.admit('a', now + 1000, now)).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/replay guard is full/),
    });
    // A new id that would be the first to go is refused too, rather than evicting itself.
    expect(guard.admit('e', now + 1500, now)).toMatchObject({ ok: false });
    expect(guard.admit('f', now + 9000, now).ok).toBe(true);
    expect(guard.size).toBe(3);
  });

  it('makes room by pruning expired ids before evicting live ones', () => {
    const guard = new ReplayGuard({ capacity: 2 });
    guard.admit('a', now + 10, now);
    guard.admit('b', now + 10, now);
    expect(guard.admit('c', now + 5000, now + 20).ok).toBe(true);
    expect(guard.admit('d', now + 5000, now + 20).ok).toBe(true);
    expect(guard.snapshot().floor).toBe(0);
  });

  it('survives a snapshot round trip through JSON', () => {
    const guard = new ReplayGuard();
    guard.admit('a', now + 1000, now);
    const restored = ReplayGuard.restore(JSON.parse(JSON.stringify(guard.snapshot())));
    expect(restored.admit('a', now + 1000, now)).toMatchObject({ ok: false });
    expect(restored.admit('b', now + 1000, now)).toMatchObject({ ok: true });
  });

  it('restores from junk as an empty guard and trims an oversized snapshot', () => {
    expect(ReplayGuard.restore('junk').size).toBe(0);
    expect(ReplayGuard.restore({ entries: [['a', 'x'], 5, null] }).size).toBe(0);
    const big = {
      v: 1,
      floor: 0,
      entries: [
        ['a', now + 1],
        ['b', now + 2],
        ['c', now + 3],
      ],
    };
    const restored = ReplayGuard.restore(big, { capacity: 2 });
    expect(restored.size).toBe(2);
    expect(restored.admit('a', now + 1, now)).toMatchObject({ ok: false });
  });
});
