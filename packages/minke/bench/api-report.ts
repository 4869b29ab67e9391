// Printing for the API bench: percentiles of a set of times, and the machine it ran on.
import { cpus, loadavg } from 'node:os';

/** The value at quantile `q` (0..1) of ascending `sorted`, NaN when empty. */
export function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
}

export interface Spread {
  median: number;
  p95: number;
  p99: number;
  max: number;
  count: number;
}

export function spreadOf(times: readonly number[]): Spread {
  const sorted = [...times].sort((a, b) => a - b);
  return {
    median: quantile(sorted, 0.5),
    p95: quantile(sorted, 0.95),
    p99: quantile(sorted, 0.99),
    max: quantile(sorted, 1),
    count: sorted.length,
  };
}

const ms = (value: number | null) => `${(value ?? NaN).toFixed(1)} ms`.padStart(10);

/** One line: label, median, p95, max and how many. */
export function printSpread(label: string, spread: Spread): void {
  console.log(
    `${label.padEnd(64)} median ${ms(spread.median)}  p95 ${ms(spread.p95)}  max ${ms(spread.max)}  (${spread.count})`,
  );
}

/** Cores, CPU model, Node and the load average: every figure depends on them. */
export function machineLine(): string {
  const cores = cpus();
  return `machine: ${cores.length} cores (${cores[0]?.model.trim() ?? '?'}), Node ${process.version}, ${loadLine()}`;
}

export function loadLine(): string {
  return `load average ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`;
}
