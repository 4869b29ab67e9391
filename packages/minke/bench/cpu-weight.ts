// Makes a process tree (the bench's sshd and all it forks) yield the CPU, as hosts on other
// machines would. `nice` alone does not do it on Linux with autogroup scheduling on (the default
// of desktop and many server kernels): sshd calls setsid() for every connection and every command,
// each new session is a scheduling group of its own at weight 1024, and a process's niceness only
// counts inside its group, so a thousand sessions at "nice 19" take the CPU as a thousand at 0.
// A CPU cgroup of low weight holds the whole tree (children stay in their parent's cgroup whatever
// their session, and autogroups apply only to tasks in the root group). That needs root and a
// writable cpu controller; without them the tree keeps the niceness only, and the bench says so.
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { setPriority } from 'node:os';
import { join } from 'node:path';

export interface CpuWeight {
  /** What was done, for the bench's report. */
  description: string;
  /** Removes the cgroup (after the tree has ended). */
  release: () => void;
}

/** The kernel's weight for a niceness: 1024 at 0, 1.25 times less per step (15 at 19). */
function weightOf(nice: number): number {
  return Math.max(2, Math.round(1024 / 1.25 ** nice));
}

export function lowerCpuWeight(pid: number, nice: number, name: string): CpuWeight {
  setPriority(pid, nice);
  const group = cgroupFor(name, nice);
  if (!group) return { description: `nice ${nice}${autogroupNote()}`, release: () => undefined };
  try {
    writeFileSync(join(group.dir, 'cgroup.procs'), String(pid));
  } catch (error) {
    group.release();
    return {
      description: `nice ${nice} (cgroup refused: ${(error as Error).message})${autogroupNote()}`,
      release: () => undefined,
    };
  }
  return { description: `nice ${nice}, ${group.description}`, release: group.release };
}

/** A new cgroup of the weight that niceness would have, under cgroup v2 or v1's cpu controller. */
function cgroupFor(name: string, nice: number) {
  const candidates = [
    {
      root: '/sys/fs/cgroup',
      file: 'cpu.weight',
      value: Math.max(1, Math.round(weightOf(nice) / 10.24)),
    },
    { root: '/sys/fs/cgroup/cpu', file: 'cpu.shares', value: weightOf(nice) },
  ];
  for (const { root, file, value } of candidates) {
    // v2 lists its controllers at the root; v1's cpu hierarchy has cpu.shares there.
    const v2 = file === 'cpu.weight';
    if (v2 && !readText(join(root, 'cgroup.subtree_control'))?.split(' ').includes('cpu')) continue;
    if (!v2 && !existsSync(join(root, 'cpu.shares'))) continue;
    const dir = join(root, `${name}-${process.pid}`);
    try {
      mkdirSync(dir);
      writeFileSync(join(dir, file), String(value));
    } catch {
      removeQuietly(dir);
      continue;
    }
    return {
      dir,
      description: `in a cgroup of its own (${file} ${value})`,
      release: () => removeQuietly(dir),
    };
  }
  return undefined;
}

function autogroupNote(): string {
  return readText('/proc/sys/kernel/sched_autogroup_enabled')?.trim() === '1'
    ? '; autogroups are on and no CPU cgroup could be made: each SSH session takes the CPU at weight 1024 whatever its niceness'
    : '';
}

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

function removeQuietly(dir: string): void {
  try {
    rmdirSync(dir);
  } catch {
    // Still holds processes, or was never made: a leftover empty cgroup does no harm.
  }
}
