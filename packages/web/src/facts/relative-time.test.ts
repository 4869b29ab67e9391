import { describe, expect, it } from 'vitest';
import { timeAgo } from './relative-time.js';

describe('timeAgo', () => {
  const now = new Date('2030-01-10T12:00:00Z');
  const ago = (seconds: number) => new Date(now.getTime() - seconds * 1000).toISOString();

  it('says how long ago, in the largest fitting unit', () => {
    expect(timeAgo(ago(10), now)).toBe('just now');
    expect(timeAgo(ago(60), now)).toBe('1 minute ago');
    expect(timeAgo(ago(3 * 60), now)).toBe('3 minutes ago');
    expect(timeAgo(ago(2 * 3600), now)).toBe('2 hours ago');
    expect(timeAgo(ago(24 * 3600), now)).toBe('yesterday');
    expect(timeAgo(ago(14 * 24 * 3600), now)).toBe('2 weeks ago');
  });

  it('says never for no instant, and shows text it cannot read as it is', () => {
    expect(timeAgo(null, now)).toBe('never');
    expect(timeAgo('soon', now)).toBe('soon');
  });
});
