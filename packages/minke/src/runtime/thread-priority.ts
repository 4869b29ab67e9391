import { getPriority, setPriority } from 'node:os';
import type { Logger } from '../logger.js';

/**
 * Lowers the calling thread's priority by `nice` steps (to 19 at most). On Linux, setpriority on
 * "this process" (0) changes only the calling thread, so the session thread can yield the CPU to
 * the server's thread; elsewhere it would lower the whole server, so it is left alone there.
 * Returns the thread's niceness after, or undefined when nothing was changed.
 */
export function lowerThisThread(
  nice: number,
  logger: Logger,
  platform: NodeJS.Platform = process.platform,
): number | undefined {
  if (nice <= 0 || platform !== 'linux') return undefined;
  try {
    const lowered = Math.min(19, getPriority(0) + nice);
    setPriority(0, lowered);
    return lowered;
  } catch (error) {
    logger.warn(
      { err: error },
      'session thread: could not lower its priority; it keeps the server’s',
    );
    return undefined;
  }
}
