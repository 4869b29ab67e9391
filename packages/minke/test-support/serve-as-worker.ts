import type { Project } from '../src/operations/project.js';
import { RunStore } from '../src/runs/run-store.js';
import { startScaleOut, type ScaleOutOptions } from '../src/runtime/scale-out.js';

/**
 * The body of a worker process that tests and benches start, doing what `minke worker` does:
 * takes sessions off the queue, prints `ready OWNER` once it listens, and on SIGTERM closes
 * (waiting `graceMs` for running sessions), then the bus and the project.
 */
export async function serveAsWorker(
  options: Omit<ScaleOutOptions, 'runs' | 'role'> & {
    project: Project & { close(): Promise<void> };
    graceMs: number;
    /** Called once the sessions are closed, before the bus (a bench prints its counts). */
    afterClose?: () => void;
  },
): Promise<void> {
  const { graceMs, afterClose, ...scaleOutOptions } = options;
  const stopAsked = new Promise<void>((resolve) => process.once('SIGTERM', () => resolve()));
  const scaleOut = startScaleOut({
    ...scaleOutOptions,
    runs: new RunStore(options.project.database),
    role: 'worker',
  });
  await Promise.all([options.bus.ready(), scaleOut.worker?.ready()]);
  process.stdout.write(`ready ${scaleOut.worker?.owner ?? ''}\n`);
  await stopAsked;
  await scaleOut.close(graceMs);
  afterClose?.();
  await options.bus.close();
  await options.project.close();
}
