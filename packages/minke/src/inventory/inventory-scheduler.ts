import type { Cron } from 'croner';
import { parseCron } from '../jobs/cron-times.js';
import type { Logger } from '../logger.js';
import type { Project } from '../operations/project.js';
import { inventorySources } from './inventory-sources.js';
import { InventoryStore } from './inventory-store.js';
import { syncInventory } from './sync-inventory.js';

/** What `startInventoryScheduler` returns: stop the timers and wait for a sync under way. */
export interface InventoryScheduler {
  close(): Promise<void>;
}

/**
 * Syncs each source that has a `schedule` on its cron times (UTC), in every server process. Each
 * tick is claimed in the database first (`InventoryStore.claimTick`), so with several servers on
 * one database a tick syncs once, whichever server claims it; the saved jobs' BullMQ schedulers
 * would need Redis or a queue for the same guarantee, the claim needs only the database.
 */
export function startInventoryScheduler(project: Project, logger: Logger): InventoryScheduler {
  const log = logger.child({ part: 'inventory' });
  const timers: Cron[] = [];
  const pending = new Set<Promise<void>>();
  const store = new InventoryStore(project.database);
  for (const source of inventorySources(project)) {
    if (source.schedule === null) continue;
    const cron = parseCron({ cron: source.schedule, timezone: 'UTC', endAt: null });
    const tick = async () => {
      // croner calls at the tick; the tick's own time is the newest one due, the same on every server.
      const tickAt = cron.previousRuns(1, new Date(Date.now() + 1000))[0] ?? new Date();
      if (!(await store.claimTick(source.name, tickAt))) return;
      const plan = await syncInventory(project, source.name);
      log.info(
        {
          source: source.name,
          added: plan.added.length,
          changed: plan.changed.length,
          removed: plan.removed.length,
        },
        'inventory source synced on its schedule',
      );
    };
    cron.schedule(() => {
      const done = tick()
        .catch((error: unknown) =>
          log.warn({ err: error, source: source.name }, 'a scheduled inventory sync failed'),
        )
        .finally(() => pending.delete(done));
      pending.add(done);
    });
    cron.resume();
    timers.push(cron);
  }
  return {
    async close() {
      for (const cron of timers) cron.stop();
      await Promise.allSettled([...pending]);
    },
  };
}
