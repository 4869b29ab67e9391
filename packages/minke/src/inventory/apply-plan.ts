import { auditedTransaction, type Audit } from '../audit/audit-log.js';
import { recordChangeAudit } from '../operations/record-changes.js';
import { recordChange } from '../audit/record-change.js';
import { HostStore, type HostRecord } from '../hosts/host-store.js';
import type { Project } from '../operations/project.js';
import type { DatabaseHandle } from '../store/transaction.js';
import { InventoryStore } from './inventory-store.js';
import type { RecordAction, SyncPlan } from './plan-sync.js';
import type { RecordRepository } from '../records/record-repository.js';
import { isMinkeError } from '../errors.js';

/** Thrown inside a dry run's transaction to roll everything back. */
class DryRunRollback extends Error {}

const hostChange = recordChange<HostRecord>('host', (host) => host.name);

/**
 * Applies a plan in one audited transaction: every host and record change with its audit row,
 * the hosts the source now owns, and one `inventory.sync` row with the counts. All or nothing:
 * a record the model refuses rolls back the hosts too. A dry run does the same and rolls back,
 * so it finds the same mistakes and changes nothing.
 */
export async function applyPlan(
  project: Project,
  plan: SyncPlan,
  options: { dryRun: boolean },
): Promise<void> {
  try {
    await auditedTransaction(project.database, async (trx, audit) => {
      await applyHosts(project, trx, audit, plan);
      await applyRecords(project, trx, audit, plan);
      await audit({
        action: 'inventory.sync',
        targetType: 'inventory',
        targetName: plan.source.name,
        after: {
          added: plan.additions.map((addition) => addition.listed.name),
          changed: plan.changes.map((change) => change.host.name),
          removed: plan.removals.map((removal) => `${removal.host.name} (${removal.action})`),
          unchanged: plan.unchanged,
        },
      });
      if (options.dryRun) throw new DryRunRollback();
    });
  } catch (error) {
    if (!(error instanceof DryRunRollback)) throw error;
  }
}

async function applyHosts(
  project: Project,
  trx: DatabaseHandle,
  audit: Audit,
  plan: SyncPlan,
): Promise<void> {
  const hosts = new HostStore(trx, project.records.in(trx));
  const owned = new InventoryStore(trx);
  const source = plan.source.name;
  for (const { listed, groupIds, config } of plan.additions) {
    const created = await hosts.insertHost({
      name: listed.name,
      hostname: listed.hostname,
      port: listed.port,
      user: listed.user,
      config,
      disabled: false,
      comment: `from inventory source ${source}`,
    });
    await hosts.setHostGroups(created.id, groupIds);
    await owned.own(created.id, source);
    await audit(hostChange('host.create', undefined, await hosts.host(listed.name)));
  }
  for (const change of plan.changes) {
    await hosts.updateHost(change.host.id, change.values);
    if (change.groupIds !== undefined) await hosts.setHostGroups(change.host.id, change.groupIds);
    if (change.takeOver) await owned.own(change.host.id, source);
    else if (change.reEnable) await owned.setDisabledBySource(change.host.id, false);
    await audit(hostChange('host.update', change.host, await hosts.host(change.host.name)));
  }
  for (const { host, action } of plan.removals) {
    if (action === 'delete') {
      await owned.release(host.id);
      await hosts.deleteHost(host.id);
      await audit(hostChange('host.delete', host, undefined));
      continue;
    }
    await hosts.updateHost(host.id, { disabled: true });
    await owned.setDisabledBySource(host.id, true);
    await audit(hostChange('host.update', host, await hosts.host(host.name)));
  }
}

async function applyRecords(
  project: Project,
  trx: DatabaseHandle,
  audit: Audit,
  plan: SyncPlan,
): Promise<void> {
  const records = project.records.in(trx);
  const hosts = new HostStore(trx, records);
  for (const action of plan.records) {
    if (action.existing && action.changes.length === 0) continue;
    try {
      await applyRecord(records, hosts, audit, action);
    } catch (error) {
      // The model's own checks (a required field, an enum value) name the field, not the row.
      if (isMinkeError(error)) error.message = `${action.at}: ${error.message}`;
      throw error;
    }
  }
}

async function applyRecord(
  records: RecordRepository,
  hosts: HostStore,
  audit: Audit,
  action: RecordAction,
): Promise<void> {
  const model = action.model.name;
  if (action.existing) {
    const after = await records.update(model, action.existing.id, action.fields);
    await audit(recordChangeAudit('record.update', model, action.existing, after));
    return;
  }
  const host = await hosts.host(action.host);
  const created = await records.create(model, { ...action.fields, [action.hostField]: host.id });
  await audit(recordChangeAudit('record.create', model, undefined, created));
}
