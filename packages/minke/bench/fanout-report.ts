// What the fan-out benchmark prints: a header saying what ran where, a table with one row per
// side and round, the Minke/bare ratio and whether the targets were met.
import { cpus } from 'node:os';
import type { CliOutcome } from './fanout-cli.js';
import type { FanoutOptions } from './fanout.js';
import type { PhaseFigures } from './fanout-measure.js';
import type { MinkeOutcome } from './fanout-minke.js';
import type { BenchSshd } from './fanout-sshd.js';

/** The targets: `minke run` within this factor of the bare script's wall time (1.2× at
 * 200 hosts, 1.25× at 1,000), no failures, Minke's own CPU per host (its CPU minus the bare
 * script's) at most 3 ms, and the client's RSS under 300 MB. */
const targetRatio = (hosts: number) => (hosts >= 1_000 ? 1.25 : 1.2);
const targetOwnCpuMsPerHost = 3;
const targetRssBytes = 300 * 2 ** 20;

/** bare: ssh2 only; transport: Minke's SshTransport alone; minke: a session run (in-process
 * executor, startRun in this process); cli: `minke run` as a user types it (a child process);
 * queued: the run on BullMQ, run by worker processes (`--workers`). */
export type SideName = 'bare' | 'transport' | 'minke' | 'cli' | 'queued';

const labels: Record<SideName, string> = {
  bare: 'bare ssh2',
  transport: 'transport',
  minke: 'startRun',
  cli: 'minke run',
  queued: 'bullmq',
};

function labelOf(r: SideResult): string {
  return r.side === 'queued' ? `bullmq x${r.workers ?? '?'}` : labels[r.side];
}

export interface SideResult {
  side: SideName;
  round: number;
  figures: PhaseFigures;
  /** The sshd's CPU for this side's connections, per host, when /proc tells. */
  serverCpuMsPerHost: number | undefined;
  failures: number;
  failureLines: string[];
  minke?: MinkeOutcome;
  /** CLI side: the child's first line and exit, lines printed, and the run it made. */
  cli?: CliOutcome;
  cliRunId?: number;
  /** Queued side: worker processes, the sessions each finished, and their CPU together. */
  workers?: number;
  perWorker?: (number | undefined)[];
  workerCpuMs?: number | undefined;
}

export function printHeader(options: FanoutOptions, sshd: BenchSshd, setupSeconds: number): void {
  const order =
    options.order === 'bare-first' ? 'bare ssh2 first, Minke last' : 'Minke first, bare ssh2 last';
  console.log(
    `fanout: \`true\` on ${options.hosts} hosts (${sshd.host}, ${sshd.ports.length} sshd ports), ` +
      `concurrency ${options.concurrency}, database ${options.database}, ${options.rounds} round(s)`,
  );
  console.log(
    `machine: ${cpus().length} cores, Node ${process.version}; ` +
      `setup (${options.hosts} host records) ${setupSeconds.toFixed(1)} s, not measured; ` +
      `login shell rc ${options.shellRc ? 'read' : 'skipped (SHLVL=1)'}; ` +
      `known_hosts: ${options.knownHosts} other hosts + this sshd's ports`,
  );
  if (options.workers.length > 0)
    console.log(
      `bullmq rows: the same run queued on Redis, run by ${options.workers.join(' / ')} worker ` +
        `process(es) of ${options.concurrency} hosts each, after the other sides of each round`,
    );
  const several = options.side === 'both' || options.side === 'all';
  console.log(
    several
      ? `order: ${order}${options.rounds > 1 ? ', alternating each round' : ''} ` +
          '(same process, same sshd; each side starts once sshd has reaped the previous one)\n'
      : `side: ${options.side} only\n`,
  );
}

const columns = [
  ['side', 15],
  ['wall s', 8],
  ['hosts/s', 9],
  ['CPU ms', 8],
  ['CPU %wall', 10],
  ['CPU ms/host', 12],
  ['peak RSS MB', 12],
  ['RSS +MB', 8],
  ['sshd ms/host', 13],
  ['machine busy %', 15],
  ['failures', 9],
] as const;

export function printResults(options: FanoutOptions, results: SideResult[]): void {
  console.log(columns.map(([title, width]) => title.padStart(width)).join(''));
  for (const r of results) console.log(row(options, r));
  console.log('');

  for (const r of results) {
    if (!r.minke) continue;
    const { startedAtMs, finishedAtMs } = r.minke;
    const closed =
      r.side === 'queued'
        ? 'connections stay pooled in the workers until they stop (not timed)'
        : `connections closed at ${r.figures.wallMs.toFixed(0)} ms`;
    console.log(
      `${labelOf(r)} #${r.round}: startRun returned at ${startedAtMs.toFixed(0)} ms, ` +
        `run.finished at ${finishedAtMs.toFixed(0)} ms, ${closed}`,
    );
  }
  for (const r of results) {
    if (!r.cli) continue;
    const first = r.cli.firstLineMs === undefined ? 'none' : `${r.cli.firstLineMs.toFixed(0)} ms`;
    const summary =
      r.cli.summaryLineMs === undefined ? 'none' : `${r.cli.summaryLineMs.toFixed(0)} ms`;
    console.log(
      `${labelOf(r)} #${r.round}: first result line at ${first}, summary at ${summary}, exited at ` +
        `${r.cli.wallMs.toFixed(0)} ms (code ${r.cli.exitCode}), ${r.cli.lines} lines printed; ` +
        "CPU and RSS columns are the child process's own",
    );
  }
  for (const r of results) {
    if (r.side !== 'queued') continue;
    const shares = (r.perWorker ?? []).map((n) => (n === undefined ? '?' : String(n)));
    const cpu = r.workerCpuMs;
    console.log(
      `${labelOf(r)} #${r.round}: sessions per worker ${shares.join(' + ')}; workers' CPU ` +
        (cpu === undefined
          ? 'n/a'
          : `${cpu.toFixed(0)} ms (${(cpu / options.hosts).toFixed(2)} ms/host)`) +
        '; the CPU columns above are this (queuing) process only',
    );
  }
  const inProcess = results.filter((r) => r.side === 'minke');
  for (const r of results) {
    if (r.side !== 'queued') continue;
    const same = inProcess.find((m) => m.round === r.round);
    if (!same) continue;
    console.log(
      `${labelOf(r)} #${r.round} vs in-process: ${(r.figures.wallMs / same.figures.wallMs).toFixed(2)}x ` +
        `the wall time (${(options.hosts / (r.figures.wallMs / 1000)).toFixed(1)} vs ` +
        `${(options.hosts / (same.figures.wallMs / 1000)).toFixed(1)} hosts/s)`,
    );
  }
  for (const r of results) {
    if (r.failures === 0) continue;
    console.log(`${labelOf(r)} #${r.round}: ${r.failures} failed; reasons:`);
    for (const line of r.failureLines.slice(0, 10)) console.log(`  ${line}`);
  }
  const failures = results.reduce((sum, r) => sum + r.failures, 0);
  const met = (ok: boolean) => (ok ? 'met' : 'NOT met');
  for (const side of ['cli', 'minke'] as const) {
    const ratios = roundRatios(results, side, options.hosts);
    if (ratios.length === 0) continue;
    const ratio = median(ratios.map((r) => r.wall));
    const ownCpu = median(ratios.map((r) => r.ownCpuMsPerHost));
    const peakRss = Math.max(
      ...results.filter((r) => r.side === side).map((r) => r.figures.peakRssBytes),
    );
    console.log(
      `${labels[side]}/bare wall time: ${ratios.map((r) => r.wall.toFixed(2)).join(', ')}× by round, ` +
        `median ${ratio.toFixed(2)}×; Minke's own CPU per host (its CPU minus bare's): median ` +
        `${ownCpu.toFixed(2)} ms; peak RSS ${(peakRss / 2 ** 20).toFixed(0)} MB`,
    );
    // The targets are stated for `minke run`; the in-process row is judged only without it.
    if (side === 'minke' && results.some((r) => r.side === 'cli')) continue;
    // Failed sessions end early and cheaply: their times say nothing about the target.
    const limit = targetRatio(options.hosts);
    const speed = failures === 0 ? met(ratio <= limit) : 'not comparable (failures)';
    console.log(
      `targets (${labels[side]}): within ${limit}× of bare: ${speed}; no failures: ` +
        `${met(failures === 0)}; own CPU ≤ ${targetOwnCpuMsPerHost} ms/host: ` +
        `${met(ownCpu <= targetOwnCpuMsPerHost)}; RSS < 300 MB: ${met(peakRss < targetRssBytes)}`,
    );
  }
}

function row(options: FanoutOptions, r: SideResult): string {
  const f = r.figures;
  const mb = (bytes: number) => (bytes / 2 ** 20).toFixed(1);
  const optional = (value: number | undefined, digits: number) =>
    value === undefined ? 'n/a' : value.toFixed(digits);
  const cells = [
    `${labelOf(r)} #${r.round}`,
    (f.wallMs / 1000).toFixed(2),
    (options.hosts / (f.wallMs / 1000)).toFixed(1),
    f.cpuMs.toFixed(0),
    ((100 * f.cpuMs) / f.wallMs).toFixed(0),
    (f.cpuMs / options.hosts).toFixed(2),
    mb(f.peakRssBytes),
    mb(f.rssGrowthBytes),
    optional(r.serverCpuMsPerHost, 1),
    optional(f.machineBusyPercent, 0),
    String(r.failures),
  ];
  return cells.map((cell, i) => cell.padStart(columns[i]?.[1] ?? 0)).join('');
}

/** A Minke side's wall time over the bare script's, and its extra CPU per host, per round. */
function roundRatios(
  results: SideResult[],
  side: 'cli' | 'minke',
  hosts: number,
): { wall: number; ownCpuMsPerHost: number }[] {
  const ratios: { wall: number; ownCpuMsPerHost: number }[] = [];
  for (const minke of results) {
    const bare = results.find((r) => r.side === 'bare' && r.round === minke.round);
    if (minke.side !== side || !bare) continue;
    ratios.push({
      wall: minke.figures.wallMs / bare.figures.wallMs,
      ownCpuMsPerHost: (minke.figures.cpuMs - bare.figures.cpuMs) / hosts,
    });
  }
  return ratios;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[mid] ?? NaN)
    : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

/** Distinct failure reasons with their counts; the target (`user@[host]:port: `) that Minke's
 * transport errors start with is cut, so that one reason on many ports counts as one. */
export function countLines(messages: string[]): string[] {
  const counts = new Map<string, number>();
  for (const message of messages) {
    const reason = message.replace(/^[^\s@]+@\S+: /, '');
    counts.set(reason, (counts.get(reason) ?? 0) + 1);
  }
  return [...counts].map(([text, n]) => `${n}× ${text}`);
}
