import { MemoryEventBus } from '../events/memory-event-bus.js';
import type { EventBus } from '../events/event-bus.js';
import type { Executor } from '../executor/executor.js';
import { InProcessExecutor } from '../executor/in-process/in-process-executor.js';
import { createLogger, silentLogger, type Logger } from '../logger.js';
import { RunStore } from '../runs/run-store.js';
import type { Project } from './open-project.js';
import type { RunServices } from '../operations/start-run.js';

export interface Runtime extends RunServices {
  logger: Logger;
  close(): Promise<void>;
}

/**
 * The moving parts that run sessions, assembled for one process: the run store, the event bus
 * and the executor (in-process today; chosen by configuration when scale-out lands).
 */
export function createRuntime(
  project: Project,
  options: { logger?: Logger; bus?: EventBus; leaseTtlMs?: number; quiet?: boolean } = {},
): Runtime {
  const logger = options.logger ?? (options.quiet ? silentLogger : createLogger());
  const bus =
    options.bus ??
    new MemoryEventBus({
      onHandlerError: (error) => logger.error({ err: error }, 'event handler failed'),
    });
  const runs = new RunStore(project.database);
  const executor: Executor = new InProcessExecutor({
    project,
    runs,
    bus,
    logger,
    maxParallelHosts: project.config.executor.maxParallelHosts,
    ...(options.leaseTtlMs === undefined ? {} : { leaseTtlMs: options.leaseTtlMs }),
  });
  return {
    project,
    runs,
    bus,
    executor,
    logger,
    async close() {
      await executor.close();
      await bus.close();
    },
  };
}
