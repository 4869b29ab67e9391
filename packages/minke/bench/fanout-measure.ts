// Measuring one phase of the fan-out benchmark: wall time, this process's CPU and RSS, and (on
// Linux) the CPU the whole machine and the sshd spent meanwhile, since client and server share
// the same cores and the server's share is what caps the connection rate.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

/** RSS is sampled this often; the peak is the largest sample. */
const rssSampleMs = 50;

export interface PhaseFigures {
  wallMs: number;
  /** This process, user + system, all threads. */
  cpuMs: number;
  peakRssBytes: number;
  /** Peak RSS minus the RSS when the phase began: what the phase itself added. */
  rssGrowthBytes: number;
  /** Share of all cores busy during the phase (client, sshd and anything else), when known. */
  machineBusyPercent: number | undefined;
}

/** Runs `work` and measures it. `work` must be bounded in time itself. */
export async function measurePhase<T>(
  work: () => Promise<T>,
): Promise<{ result: T; figures: PhaseFigures }> {
  const rss = startRssSampler();
  const machineBefore = machineTicks();
  const cpuBefore = process.cpuUsage();
  const start = performance.now();
  try {
    const result = await work();
    const wallMs = performance.now() - start;
    const cpu = process.cpuUsage(cpuBefore);
    const machineAfter = machineTicks();
    const { peak, baseline } = rss.stop();
    return {
      result,
      figures: {
        wallMs,
        cpuMs: (cpu.user + cpu.system) / 1000,
        peakRssBytes: peak,
        rssGrowthBytes: Math.max(0, peak - baseline),
        machineBusyPercent: busyPercent(machineBefore, machineAfter),
      },
    };
  } finally {
    rss.stop();
  }
}

function startRssSampler(): { stop: () => { peak: number; baseline: number } } {
  const baseline = process.memoryUsage.rss();
  let peak = baseline;
  const sample = () => {
    peak = Math.max(peak, process.memoryUsage.rss());
  };
  const timer = setInterval(sample, rssSampleMs);
  return {
    stop: () => {
      clearInterval(timer);
      sample();
      return { peak, baseline };
    },
  };
}

interface Ticks {
  busy: number;
  total: number;
}

/** Machine-wide CPU ticks from /proc/stat; undefined off Linux. */
function machineTicks(): Ticks | undefined {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0] ?? '';
    const values = line.trim().split(/\s+/).slice(1, 9).map(Number);
    const total = values.reduce((sum, value) => sum + value, 0);
    const idle = (values[3] ?? 0) + (values[4] ?? 0); // idle + iowait
    return { busy: total - idle, total };
  } catch {
    return undefined;
  }
}

function busyPercent(before: Ticks | undefined, after: Ticks | undefined): number | undefined {
  if (!before || !after || after.total === before.total) return undefined;
  return (100 * (after.busy - before.busy)) / (after.total - before.total);
}

let clockTicksPerSecond: number | undefined;

/** USER_HZ for /proc times; 100 on every common Linux, asked once of getconf. */
function ticksPerSecond(): number {
  if (clockTicksPerSecond === undefined) {
    const answer = spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8', timeout: 2_000 });
    const value = Number(answer.stdout?.trim());
    clockTicksPerSecond = Number.isInteger(value) && value > 0 ? value : 100;
  }
  return clockTicksPerSecond;
}

/**
 * CPU time of a process and of its children that it has reaped, in ms. sshd forks (and reaps)
 * one process tree per connection, so for the listening sshd this is the server's whole cost
 * once the connections of a phase are closed. Undefined when /proc cannot tell.
 */
export function processTreeCpuMs(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which sits in parentheses and may contain spaces.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime, stime, cutime, cstime are fields 14-17 of the line, 12-15 after "(comm) ".
    const ticks = [11, 12, 13, 14].reduce((sum, i) => sum + Number(fields[i] ?? 0), 0);
    return (1000 * ticks) / ticksPerSecond();
  } catch {
    return undefined;
  }
}

/** Children a process still has (not yet exited or not yet reaped); undefined when unknown. */
export function childCount(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const text = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim();
    return text === '' ? 0 : text.split(/\s+/).length;
  } catch {
    return undefined;
  }
}

/**
 * Waits until the sshd has reaped every connection's process, so that its CPU figure is complete
 * and the next phase starts on a quiet server. Bounded: `polls` * `pollMs`.
 */
export async function waitForServerQuiet(
  pid: number | undefined,
  polls = 100,
  pollMs = 50,
): Promise<void> {
  for (let poll = 0; poll < polls; poll++) {
    const children = childCount(pid);
    if (children === undefined) {
      await sleep(1_000); // cannot see the children: give them a second
      return;
    }
    if (children === 0) return;
    await sleep(pollMs);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
