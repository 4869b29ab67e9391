import { Worker } from 'node:worker_threads';

export interface LoopWatchdogOptions {
  /** How long the event loop may be held before the process is killed. */
  stallMs: number;
  /** What the process is, for the line it leaves: `minke worker`, `minke run`. */
  what: string;
}

/**
 * Code of the watching thread, an ES module given as a `data:` URL: nothing to resolve in a bundle.
 * It reads the main thread's last beat and, when it is older than the stall time, writes why to
 * stderr and kills the process. Only a thread can: the main thread's timers and signal handlers
 * (Ctrl-C, a service manager's SIGTERM) wait on the very loop that is held.
 */
const WATCHER = `
import { workerData } from 'node:worker_threads';
import { writeSync } from 'node:fs';
const beat = new BigInt64Array(workerData.buffer);
setInterval(() => {
  const silentMs = Date.now() - Number(Atomics.load(beat, 0));
  if (silentMs < workerData.stallMs) return;
  const seconds = String(Math.round(silentMs / 1000));
  writeSync(2, workerData.message.replace('{seconds}', seconds) + '\\n');
  process.kill(process.pid, 'SIGKILL');
}, workerData.checkMs);
`;

/**
 * Kills this process when its event loop has been held for `stallMs`: a session that never
 * yields (a loop without an `await`) in `minke worker` or `minke run` would otherwise hold every
 * session, stop and time limit of the process, and its Ctrl-C, with nothing said. Killed, its
 * sessions end "worker lost" (the lease reaper, or the next Minke process that looks), and a
 * service manager starts a worker again. `minke start` runs sessions in a thread that has a
 * watchdog of its own (ThreadExecutor), which replaces the thread instead.
 *
 * @example
 *   const watchdog = watchEventLoop({ stallMs: 60_000, what: 'minke worker' });
 *   // ... on shutdown:
 *   await watchdog.stop();
 */
export function watchEventLoop(options: LoopWatchdogOptions): { stop(): Promise<void> } {
  const buffer = new SharedArrayBuffer(8);
  const beat = new BigInt64Array(buffer);
  const stamp = () => Atomics.store(beat, 0, BigInt(Date.now()));
  stamp();
  const beatMs = Math.max(10, Math.min(1000, Math.floor(options.stallMs / 4)));
  const timer = setInterval(stamp, beatMs);
  timer.unref();
  const message =
    `minke: ${options.what} has not run its event loop for {seconds} s: a session that never ` +
    'yields (a loop without an await?) holds it; killing the process (its sessions end "worker lost")';
  const watcher = new Worker(new URL(`data:text/javascript,${encodeURIComponent(WATCHER)}`), {
    workerData: { buffer, stallMs: options.stallMs, checkMs: beatMs, message },
  });
  // The watcher never keeps the process alive, and it has nothing to say but its one line.
  watcher.unref();
  return {
    async stop() {
      clearInterval(timer);
      await watcher.terminate();
    },
  };
}
