/**
 * A worker outlives a restart of the database: writes that fail because the server is away are
 * tried again for a while, so a session that ends while PostgreSQL restarts is still recorded.
 */

const transientCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now (starting up)
  '08000',
  '08001',
  '08003',
  '08006',
  'SQLITE_BUSY',
  'SQLITE_LOCKED',
]);

/** An error that says the database is unreachable for now, not that the statement is wrong. */
export function isTransientDatabaseError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { code, message } = error as { code?: unknown; message?: unknown };
  if (typeof code === 'string' && transientCodes.has(code)) return true;
  return (
    typeof message === 'string' &&
    /Connection terminated|terminating connection|connection is closed|Client has encountered a connection error|timeout exceeded when trying to connect/i.test(
      message,
    )
  );
}

export interface RetryPolicy {
  /** Give up after this long. */
  totalMs: number;
  firstDelayMs: number;
  maxDelayMs: number;
  onRetry?: (error: unknown, attempt: number) => void;
}

export const defaultRetryPolicy: RetryPolicy = {
  totalMs: 60_000,
  firstDelayMs: 100,
  maxDelayMs: 2000,
};

/** Calls `action` until it succeeds, fails for good, or the policy's time is up. */
export async function retryTransient<T>(action: () => Promise<T>, policy: RetryPolicy): Promise<T> {
  const deadline = Date.now() + policy.totalMs;
  let delay = policy.firstDelayMs;
  for (let attempt = 1; ; attempt++) {
    try {
      return await action();
    } catch (error) {
      if (!isTransientDatabaseError(error) || Date.now() + delay > deadline) throw error;
      policy.onRetry?.(error, attempt);
      await new Promise((resolve) => setTimeout(resolve, delay));
      delay = Math.min(delay * 2, policy.maxDelayMs);
    }
  }
}

/**
 * The same object, its async methods retried on transient database errors. Statements that
 * insert (a command, a message) may be applied twice when the connection dropped after the
 * server committed; state changes are conditional and safe to repeat.
 */
export function withDatabaseRetry<T extends object>(target: T, policy: RetryPolicy): T {
  return new Proxy(target, {
    get(object, property, receiver) {
      const value: unknown = Reflect.get(object, property, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        const call = () => (value as (...a: unknown[]) => unknown).apply(object, args);
        const first = call();
        if (!(first instanceof Promise)) return first;
        return first.catch((error: unknown) => {
          if (!isTransientDatabaseError(error)) throw error;
          policy.onRetry?.(error, 0);
          return retryTransient(() => call() as Promise<unknown>, policy);
        });
      };
    },
  });
}
