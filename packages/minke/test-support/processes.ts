import { readFileSync, readdirSync } from 'node:fs';

/** Whether a process of exactly this command line runs now (words joined by spaces; from /proc). */
export function processRuns(commandLine: string): boolean {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .some((pid) => {
      try {
        const words = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
        return words.join(' ') === commandLine;
      } catch {
        return false; // ended meanwhile
      }
    });
}

/** Whether `processRuns(commandLine)` comes to be `wanted` within 10 s (looked at every 100 ms). */
export async function processComesTo(commandLine: string, wanted: boolean): Promise<boolean> {
  for (let i = 0; i < 100; i++) {
    if (processRuns(commandLine) === wanted) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return false;
}
