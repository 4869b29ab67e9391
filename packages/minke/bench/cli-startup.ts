import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const bin = fileURLToPath(new URL('../bin/minke.js', import.meta.url));

function timeRuns(runs: number, args: string[], before?: () => void): number[] {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    before?.();
    const start = process.hrtime.bigint();
    const result = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8' });
    const elapsed = Number(process.hrtime.bigint() - start) / 1e6;
    if (result.status !== 0) throw new Error(`minke ${args.join(' ')} failed: ${result.stderr}`);
    times.push(elapsed);
  }
  return times.sort((a, b) => a - b);
}

function summary(label: string, times: number[]): void {
  const median = times[Math.floor(times.length / 2)] ?? NaN;
  const worst = times[times.length - 1] ?? NaN;
  console.log(
    `${label.padEnd(36)} median ${median.toFixed(0)} ms   worst ${worst.toFixed(0)} ms   (${times.length} runs)`,
  );
}

/** Cold start of the built CLI: `minke --help`, and `minke migrate` on an empty SQLite file. */
export function benchCli(args: string[]): Promise<void> {
  const runs = Number(args[args.indexOf('--runs') + 1] ?? 10) || 10;
  const dir = mkdtempSync(join(tmpdir(), 'minke-bench-'));
  try {
    summary('minke --help', timeRuns(runs, ['--help']));
    timeRuns(1, ['init', join(dir, 'p')]);
    const project = join(dir, 'p');
    summary(
      'minke migrate (empty SQLite file)',
      timeRuns(runs, ['--project', project, 'migrate'], () => {
        rmSync(join(project, 'minke.db'), { force: true });
        rmSync(join(project, 'minke.db-wal'), { force: true });
        rmSync(join(project, 'minke.db-shm'), { force: true });
      }),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return Promise.resolve();
}
