import { describe, expect, it } from 'vitest';
import { targetName } from './run-targets.js';

describe('targetName', () => {
  it('adds the host to a label that does not name it', () => {
    expect(targetName({ id: 3, label: 'Debian 12 (Server #3)', hostName: 'web-1' })).toBe(
      'Debian 12 (Server #3) on web-1',
    );
    expect(targetName({ id: 4, label: 'web-10 (Server #4)', hostName: 'web-1' })).toBe(
      'web-10 (Server #4) on web-1',
    );
  });

  it('leaves a label that starts with the host name, a host, or an unknown host alone', () => {
    expect(targetName({ id: 3, label: 'web-1 (Server #3)', hostName: 'web-1' })).toBe(
      'web-1 (Server #3)',
    );
    expect(targetName({ id: 1, label: 'web-1', hostName: 'web-1' })).toBe('web-1');
    expect(targetName({ id: 5, label: 'Server #5', hostName: null })).toBe('Server #5');
  });
});
