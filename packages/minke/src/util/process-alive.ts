import { readFileSync } from 'node:fs';

/**
 * Whether a process of this machine is still running. Signal 0 checks that it exists (EPERM: it
 * exists under another user). A process killed and not yet reaped by its parent still exists, as
 * a zombie, until the parent waits for it, which can take seconds where the parent is an init
 * that reaps late (a container's), and never where it does not reap at all: on Linux its state in
 * `/proc` tells, and a zombie counts as gone. Elsewhere (no `/proc`) signal 0 decides.
 */
export function processAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  return !isZombie(pid);
}

function isZombie(pid: number): boolean {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
  } catch {
    return false;
  }
  // "pid (command) state ...": the command may hold spaces and parentheses, the state follows
  // the last closing one.
  const state = stat.charAt(stat.lastIndexOf(')') + 2);
  return state === 'Z' || state === 'X';
}
