import { createEventBus } from '../events/create-event-bus.js';
import { ExecutorOwners } from '../executor/executor-owners.js';
import { OrphanReaper } from '../executor/orphan-reaper.js';
import type { Logger } from '../logger.js';
import type { Project } from '../operations/project.js';
import { RunStore } from '../runs/run-store.js';

/**
 * One pass of the orphan reaper for a command that reads the history without a server: the runs
 * of a `minke run` or `minke start` that was killed (kill -9, a crash) end "worker lost" before
 * they are listed, instead of showing `running` until a server next looks. Only on the in-memory
 * event bus: with a shared bus (Redis, PostgreSQL) a server is there to reap them and publish the
 * change, and a read command should not open a bus connection. Returns the ids of the records it
 * ended.
 */
export async function endOrphanedRuns(project: Project, logger: Logger): Promise<number[]> {
  if (project.config.eventBus !== 'memory') return [];
  const bus = createEventBus(project, logger);
  try {
    const reaper = new OrphanReaper({
      database: project.database,
      owners: new ExecutorOwners(project.database, project.config.executor.leaseTtlMs),
      runs: new RunStore(project.database),
      bus,
      logger,
    });
    return await reaper.reap();
  } finally {
    await bus.close();
  }
}
