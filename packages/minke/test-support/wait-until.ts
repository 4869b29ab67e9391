import { expect } from 'vitest';

/**
 * Polls `condition` every 50 ms, at most `tries` times, and asserts what the last look saw. A
 * condition seen true is not asked again: a process list can change between two looks (a shell
 * forking, then exec'ing), and a second look used to fail a wait that had succeeded.
 */
export async function waitUntil(condition: () => boolean, tries = 200): Promise<void> {
  let seen = condition();
  for (let i = 0; i < tries && !seen; i++) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    seen = condition();
  }
  expect(seen).toBe(true);
}
