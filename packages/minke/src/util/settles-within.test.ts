import { describe, expect, it } from 'vitest';
import { settlesWithin } from './settles-within.js';

describe('settlesWithin', () => {
  it('is true for a promise that settles in time and false for one that does not', async () => {
    await expect(settlesWithin(Promise.resolve(), 1_000)).resolves.toBe(true);
    await expect(settlesWithin(new Promise(() => undefined), 20)).resolves.toBe(false);
  });
});
