import { describe, expect, it } from 'vitest';
import { TransportError } from './transport-error.js';
import { type CommandResult, commandStatus } from './transport.js';

function result(overrides: Partial<CommandResult>): CommandResult {
  const now = new Date();
  return {
    command: 'x',
    exitCode: 0,
    stdout: '',
    stderr: '',
    startedAt: now,
    finishedAt: now,
    durationMs: 0,
    pty: false,
    killed: false,
    timedOut: false,
    ...overrides,
  };
}

describe('commandStatus', () => {
  it('is success, warning on stderr, error on a failure, a kill or a timeout', () => {
    expect(commandStatus(result({ stdout: 'ok' }))).toBe('success');
    expect(commandStatus(result({ stderr: 'careful' }))).toBe('warning');
    expect(commandStatus(result({ exitCode: 3 }))).toBe('error');
    expect(commandStatus(result({ exitCode: null, killed: true }))).toBe('error');
    expect(commandStatus(result({ exitCode: null, timedOut: true }))).toBe('error');
  });
});

describe('TransportError', () => {
  it('reads as one line and serializes with its reason', () => {
    const error = new TransportError('auth_failed', 'root@web1', 'tried agent');
    expect(error.message).toBe('root@web1: authentication failed (tried agent)');
    expect(error.toJSON()).toEqual({
      code: 'unavailable',
      message: 'root@web1: authentication failed (tried agent)',
      fields: { reason: 'auth_failed', target: 'root@web1' },
    });
  });
});
