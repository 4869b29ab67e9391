import type { Logger } from '../logger.js';
import type { RunServices } from '../operations/start-run.js';
import { onScheduleChange } from '../jobs/schedule-changes.js';
import type { Scheduler } from './scheduler.js';

/**
 * Starts the scheduler a server runs: BullMQ job schedulers when the project uses the BullMQ
 * executor (every server upserts them; each tick fires once), croner in this process otherwise.
 */
export async function startScheduler(runtime: RunServices, logger: Logger): Promise<Scheduler> {
  const scheduler = await started(runtime, logger);
  const stopListening = onScheduleChange(() => scheduler.reload());
  return {
    reload: () => scheduler.reload(),
    async close() {
      stopListening();
      await scheduler.close();
    },
  };
}

async function started(runtime: RunServices, logger: Logger): Promise<Scheduler> {
  const services = { runtime, logger: logger.child({ part: 'scheduler' }) };
  if (runtime.project.config.executor.kind === 'bullmq') {
    const { queueBackendOf } = await import('../executor/bullmq/queue-backend-of.js');
    const { QueueScheduler } = await import('./queue-scheduler.js');
    const scheduler = new QueueScheduler({ ...services, backend: queueBackendOf(runtime.project) });
    await scheduler.start();
    return scheduler;
  }
  const { EmbeddedScheduler } = await import('./embedded-scheduler.js');
  const scheduler = new EmbeddedScheduler(services);
  await scheduler.start();
  return scheduler;
}
