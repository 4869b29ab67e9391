import { describe, expect, it } from 'vitest';
import { classifySshError } from './classify-error.js';

const withProps = (message: string, props: Record<string, string>) =>
  Object.assign(new Error(message), props);

describe('classifySshError', () => {
  it.each([
    [
      withProps('connect ECONNREFUSED', { code: 'ECONNREFUSED' }),
      'connection_refused',
      'connection refused',
    ],
    [withProps('getaddrinfo ENOTFOUND', { code: 'ENOTFOUND' }), 'host_not_found', 'host not found'],
    [withProps('x', { code: 'EHOSTUNREACH' }), 'host_unreachable', 'host unreachable'],
    [
      withProps('Timed out while waiting for handshake', { level: 'client-timeout' }),
      'timeout',
      'connection timed out',
    ],
    [
      withProps('All configured authentication methods failed', { level: 'client-authentication' }),
      'auth_failed',
      'authentication failed',
    ],
    [new Error('Handshake failed: no matching cipher'), 'disconnected', 'no matching cipher'],
  ])('%s', (error, reason, text) => {
    const classified = classifySshError(error, 'root@h:22');
    expect(classified.reason).toBe(reason);
    expect(classified.message).toContain(text);
    expect(classified.message).not.toContain('    at ');
  });
});
