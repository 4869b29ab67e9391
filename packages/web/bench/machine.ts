import { cpus, loadavg } from 'node:os';
import type { Browser } from 'playwright-core';

/** The 1, 5 and 15 minute load averages, as `uptime` prints them. */
export function loadAverage(): string {
  return loadavg()
    .map((n) => n.toFixed(2))
    .join(' ');
}

/** What the figures were measured on: a loaded machine's figures are not a quiet one's. */
export function machineLine(browser: Browser): string {
  const cpu = cpus();
  return (
    `machine: ${cpu.length} cores, ${cpu[0]?.model ?? 'unknown CPU'}; Node ${process.version}; ` +
    `Chromium ${browser.version()}; load average ${loadAverage()}`
  );
}
