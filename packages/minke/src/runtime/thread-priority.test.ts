import { getPriority } from 'node:os';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../logger.js';
import { lowerThisThread } from './thread-priority.js';

// What `minke start`'s session thread does is shown through the built server in
// session-thread.int.test.ts; here, the cases where it must change nothing.
describe('lowerThisThread', () => {
  it('leaves the priority alone for 0, and off Linux (where it would lower the whole server)', () => {
    const before = getPriority(0);
    expect(lowerThisThread(0, silentLogger)).toBeUndefined();
    expect(lowerThisThread(10, silentLogger, 'darwin')).toBeUndefined();
    expect(lowerThisThread(10, silentLogger, 'win32')).toBeUndefined();
    expect(getPriority(0)).toBe(before);
  });
});
