import type { InventoryPlan } from '@minke/contract';
import { isMinkeError } from '../errors.js';
import type { ConnectionActor } from '../operations/connection-guard.js';
import type { Project } from '../operations/project.js';
import { applyPlan } from './apply-plan.js';
import { inventorySource } from './inventory-sources.js';
import { InventoryStore } from './inventory-store.js';
import { parseInventory } from './parse-inventory.js';
import { planSync, planReport } from './plan-sync.js';
import { readSource } from './read-source.js';

/**
 * Syncs one inventory source: reads it, compares it with the database, and applies the plan in
 * one audited transaction (or, on a dry run, only reports it). Any mistake — the source cannot
 * be read, does not parse, names an unknown group, lists a host twice — changes nothing; its
 * message names the source, and a failed real sync is kept as the source's last result.
 *
 * @example
 *   const plan = await syncInventory(project, 'cmdb', { dryRun: true });
 *   plan.added.map((host) => host.name); // ['web-3']
 */
export async function syncInventory(
  project: Project,
  name: string,
  options: {
    dryRun?: boolean | undefined;
    /** Sync a source that lists no hosts (which disables every host it added). */
    allowEmpty?: boolean | undefined;
    actor?: ConnectionActor;
  } = {},
): Promise<InventoryPlan> {
  const source = inventorySource(project, name);
  const dryRun = options.dryRun ?? false;
  const store = new InventoryStore(project.database);
  try {
    const { text, format } = await readSource(source, project.config.projectDir);
    const listing = parseInventory(text, format, source.model);
    const plan = await planSync(project, source, listing, options);
    await applyPlan(project, plan, { dryRun });
    const report = planReport(plan, dryRun);
    if (!dryRun) {
      const counts = {
        added: report.added.length,
        changed: report.changed.length,
        removed: report.removed.length,
        unchanged: report.unchanged,
      };
      await store.noteSync(name, { at: new Date(), ok: true, error: null, counts });
    }
    return report;
  } catch (error) {
    if (isMinkeError(error)) error.message = `inventory source ${name}: ${error.message}`;
    if (!dryRun) {
      const message = error instanceof Error ? error.message : String(error);
      await store
        .noteSync(name, { at: new Date(), ok: false, error: message, counts: null })
        .catch(() => undefined); // the sync's own error is the one to report
    }
    throw error;
  }
}
