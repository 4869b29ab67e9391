/** TERM first; whatever of the group is still there after this long gets KILL. */
const graceMs = 2_000;
const pollMs = 50;

/**
 * Ends a local process group: TERM to all of it, then KILL once the grace time is over if any
 * member is left (a child that ignores TERM, a grandchild in the background). Bounded by
 * `graceMs`.
 */
export async function killProcessGroup(pgid: number): Promise<void> {
  if (!signalGroup(pgid, 'SIGTERM')) return;
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, pollMs));
    if (!signalGroup(pgid, 0)) return;
  }
  signalGroup(pgid, 'SIGKILL');
}

/** Sends a signal to every process of the group; false when the group no longer exists. */
function signalGroup(pgid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false;
  }
}
