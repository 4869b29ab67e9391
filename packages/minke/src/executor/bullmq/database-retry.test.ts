import { describe, expect, it } from 'vitest';
import { isTransientDatabaseError, retryTransient, withDatabaseRetry } from './database-retry.js';

const policy = { totalMs: 2000, firstDelayMs: 1, maxDelayMs: 5 };
const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), {
  code: 'ECONNREFUSED',
});

describe('database retry', () => {
  it('tells a database that is away from a statement that is wrong', () => {
    expect(isTransientDatabaseError(refused)).toBe(true);
    expect(isTransientDatabaseError(Object.assign(new Error('x'), { code: '57P01' }))).toBe(true);
    expect(isTransientDatabaseError(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(isTransientDatabaseError(Object.assign(new Error('x'), { code: '23505' }))).toBe(false);
    expect(isTransientDatabaseError(new Error('syntax error at or near "SELEC"'))).toBe(false);
    expect(isTransientDatabaseError('ECONNREFUSED')).toBe(false);
  });

  it('tries again while the database is away, and not for other errors', async () => {
    let calls = 0;
    const flaky = () => (++calls < 3 ? Promise.reject(refused) : Promise.resolve('ok'));
    expect(await retryTransient(flaky, policy)).toBe('ok');
    expect(calls).toBe(3);
    calls = 0;
    const wrong = () => {
      calls++;
      return Promise.reject(new Error('no such table'));
    };
    await expect(retryTransient(wrong, policy)).rejects.toThrow('no such table');
    expect(calls).toBe(1);
    await expect(
      retryTransient(() => Promise.reject(refused), { ...policy, totalMs: 20 }),
    ).rejects.toThrow('ECONNREFUSED');
  });

  it('wraps the async methods of an object, leaving the rest as they are', async () => {
    let calls = 0;
    const store = {
      name: 'runs',
      count: () => 7,
      async markRunning(id: number) {
        if (++calls === 1) throw refused;
        return Promise.resolve(id === 1);
      },
    };
    const retried = withDatabaseRetry(store, policy);
    expect(retried.name).toBe('runs');
    expect(retried.count()).toBe(7);
    expect(await retried.markRunning(1)).toBe(true);
    expect(calls).toBe(2);
  });
});
