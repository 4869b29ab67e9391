import { defineConfig } from 'vitest/config';

// Browser tests: a real `minke start` and Debian's Chromium through playwright-core. One file at
// a time (each starts its own server and browser); generous limits for slow CI machines.
export default defineConfig({
  test: {
    root: import.meta.dirname,
    include: ['e2e/**/*.e2e.test.ts'],
    pool: 'forks',
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 180_000,
  },
});
