import { randomUUID } from 'node:crypto';
import type { Result } from '@minke/protocol';

/** A valid result for spool tests. */
export function sampleResult(overrides: Partial<Result> = {}): Result {
  const now = new Date().toISOString();
  return {
    v: 1,
    id: randomUUID(),
    requestId: randomUUID(),
    node: 'web1',
    plugin: 'ps',
    ok: true,
    format: 'output',
    value: ['a', 'b'],
    startedAt: now,
    finishedAt: now,
    durationMs: 0,
    exitCode: 0,
    ...overrides,
  };
}
