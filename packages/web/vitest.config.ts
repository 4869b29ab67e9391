import { defineConfig } from 'vitest/config';

// Unit tests of the web admin's logic (ANSI parser, virtual window, form fields, list queries,
// run state); they run in Node, no DOM needed.
export default defineConfig({
  test: {
    root: import.meta.dirname,
    include: ['src/**/*.test.ts', 'src/**/*.test.tsx'],
  },
});
