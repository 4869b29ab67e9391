import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { waitUntil } from '../../test-support/wait-until.js';
import { processAlive } from './process-alive.js';

const children: ReturnType<typeof spawn>[] = [];
afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
});

/** A process's argv as /proc has it (NUL after each word); '' once it is gone. */
function commandLineOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return '';
  }
}

/** The output's first line: the pid the shell printed. */
function firstLine(child: ReturnType<typeof spawn>): Promise<number> {
  return new Promise((resolve, reject) => {
    let text = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      if (text.includes('\n')) resolve(Number(text.split('\n')[0]));
    });
    child.once('error', reject);
  });
}

describe('processAlive', () => {
  it('is true for this process and a running child, false for a pid nobody has', () => {
    expect(processAlive(process.pid)).toBe(true);
    expect(processAlive(0)).toBe(false);
    expect(processAlive(-1)).toBe(false);
    expect(processAlive(2 ** 22 + 12345)).toBe(false);
  });

  it.skipIf(!existsSync('/proc/self/stat'))(
    'is false for a killed process its parent has not reaped (a zombie)',
    async () => {
      // The shell starts `sleep 30` in the background, prints its pid and becomes `sleep 60`,
      // which never waits for a child: the first sleep, killed, stays a zombie.
      const parent = spawn('sh', ['-c', 'sleep 30 & echo $!; exec sleep 60'], {
        stdio: ['ignore', 'pipe', 'ignore'],
      });
      children.push(parent);
      const pid = await firstLine(parent);
      expect(processAlive(pid)).toBe(true);
      // Killed while the shell has not yet become `sleep 60`, the child would be reaped by it.
      await waitUntil(() => commandLineOf(parent.pid ?? 0) === 'sleep\u000060\u0000');
      process.kill(pid, 'SIGKILL');
      await waitUntil(() => !processAlive(pid));
      // Still there for signal 0: only the parent's wait would remove it.
      expect(() => process.kill(pid, 0)).not.toThrow();
    },
  );
});
