import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: [
      'packages/*/src/**/*.test.ts',
      'packages/*/test/**/*.test.ts',
      'examples/**/*.test.ts',
    ],
    exclude: ['**/node_modules/**', '**/dist/**'],
    // Integration suites start real services (sshd, brokers); forks keep their native handles apart.
    pool: 'forks',
    // Vitest's default (one fork fewer than the cores) runs one file at a time on a 2-core CI
    // machine. The integration files mostly wait on sshd, brokers and child processes, and each
    // has its own schema, key prefix and ports, so two forks there halve the suite (measured:
    // 568 s against the files' 1,007 s of test time one after another).
    maxWorkers: Math.max(2, availableParallelism() - 1),
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
