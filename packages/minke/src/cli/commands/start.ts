import type { Command } from 'commander';
import { registerServing } from './serve.js';

/** `minke start`: migrate, then everything in one process. */
export function registerStartCommand(program: Command): void {
  registerServing(program, {
    name: 'start',
    description: 'migrate, then serve everything in one process (embedded defaults)',
    migrate: true,
    role: 'all',
  });
}
