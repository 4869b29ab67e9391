import type { Command } from 'commander';
import { UsageError } from '../cli-error.js';
import { stdoutOut } from '../output.js';
import { withProject, type GlobalOptions } from '../project-context.js';

interface WorkerOptions {
  concurrency?: string;
  grace?: string;
  metricsPort?: string;
  metricsListen?: string;
}

/**
 * `minke worker`: takes session batches from the BullMQ queue and runs them, on any machine that
 * reaches the database, the queue and the hosts. Ctrl-C (or SIGTERM) stops taking work: running
 * sessions may finish within the grace time, what has not started goes back to the queue; a
 * second Ctrl-C kills the running sessions.
 */
export function registerWorkerCommand(program: Command): void {
  program
    .command('worker')
    .description('run sessions from the queue (the BullMQ executor): start as many as you need')
    .option('--concurrency <n>', 'hosts worked on at once (default: executor.maxParallelHosts)')
    .option('--grace <seconds>', 'on stop, how long running sessions may finish (default 60)')
    .option('--metrics-port <port>', 'serve Prometheus metrics at http://127.0.0.1:PORT/metrics')
    .option('--metrics-listen <address>', 'address of the metrics port (default 127.0.0.1)')
    .action(async (options: WorkerOptions) => {
      const concurrency = wholeNumber('--concurrency', options.concurrency, 1, 100_000);
      const graceSeconds = wholeNumber('--grace', options.grace, 0, 86_400) ?? 60;
      const metricsPort = wholeNumber('--metrics-port', options.metricsPort, 0, 65_535);
      if (options.metricsListen !== undefined && metricsPort === undefined)
        throw new UsageError('--metrics-listen needs --metrics-port');
      const out = stdoutOut();
      await withProject(program.opts<GlobalOptions>(), {}, async (project) => {
        if (project.config.executor.kind !== 'bullmq') {
          throw new UsageError(
            'minke worker needs the BullMQ executor: set MINKE_REDIS_URL (or executor: { kind: "bullmq" } with a PostgreSQL database)',
          );
        }
        const { createLogger } = await import('../../logger.js');
        const { RunStore } = await import('../../runs/run-store.js');
        const { createEventBus } = await import('../../events/create-event-bus.js');
        const { startScaleOut } = await import('../../runtime/scale-out.js');
        const { watchEventLoop } = await import('../../runtime/loop-watchdog.js');
        // Listen for Ctrl-C/SIGTERM before anything starts: the worker takes sessions from the queue
        // as soon as it connects, and a stop that came during start-up must still be graceful.
        const stopAsked = new Promise<void>((resolve) => {
          process.once('SIGINT', () => resolve());
          process.once('SIGTERM', () => resolve());
        });
        const logger = createLogger();
        const bus = createEventBus(project, logger);
        const scaleOut = startScaleOut({
          project,
          runs: new RunStore(project.database),
          bus,
          logger,
          role: 'worker',
          ...(concurrency === undefined ? {} : { concurrency }),
        });
        const worker = scaleOut.worker;
        // Sessions run on this thread: one that never yields would hold the worker's every
        // session, its lease renewals and its SIGTERM, and the worker would look alive.
        const watchdog = watchEventLoop({
          stallMs: project.config.executor.threadStallMs,
          what: 'minke worker',
        });
        let metrics: { address: string; close(): Promise<void> } | undefined;
        try {
          await Promise.all([bus.ready(), worker?.ready()]);
          if (metricsPort !== undefined) {
            const { startWorkerMetrics } = await import('../../server/worker-metrics-server.js');
            metrics = await startWorkerMetrics({
              port: metricsPort,
              host: options.metricsListen ?? '127.0.0.1',
              token: project.config.metrics.token,
              running: () => worker?.running ?? 0,
              logger,
            });
          }
          out.line(
            `worker ${worker?.owner ?? '?'} runs sessions of ${project.config.projectDir} (${concurrency ?? project.config.executor.maxParallelHosts} hosts at once)`,
          );
          out.line(`database: ${project.database.description}`);
          if (metrics) out.line(`metrics: ${metrics.address}/metrics`);
          out.line('press Ctrl-C to stop (twice kills running sessions)');
          await stopAsked;
          out.line(
            `stopping: ${worker?.running ?? 0} running session(s) may finish within ${graceSeconds} s`,
          );
          const kill = () => {
            out.line('killing running sessions');
            worker?.abortAll();
          };
          process.once('SIGINT', kill);
          process.once('SIGTERM', kill);
        } finally {
          await scaleOut.close(graceSeconds * 1000);
          await bus.close();
          await metrics?.close();
          await watchdog.stop();
        }
        out.line('stopped');
      });
    });
}

function wholeNumber(
  flag: string,
  text: string | undefined,
  min: number,
  max: number,
): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < min || value > max)
    throw new UsageError(`${flag} "${text}": expected a whole number from ${min} to ${max}`);
  return value;
}
