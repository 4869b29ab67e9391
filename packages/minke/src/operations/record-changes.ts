import { auditedTransaction } from '../audit/audit-log.js';
import { auditTargetTypeOf } from '../audit/record-history.js';
import type { RecordValues } from '../model/record-codec.js';
import type { Project } from './project.js';

/**
 * Writes to records of the project's models as a person makes them (the API's record routes),
 * each recorded in the audit log with the record before and after. Hosts added or changed through
 * the host operations are recorded there. Each change and its audit row are one transaction.
 */
export async function createRecord(
  project: Project,
  model: string,
  input: unknown,
): Promise<RecordValues> {
  return auditedTransaction(project.database, async (trx, audit) => {
    const created = await project.records.in(trx).create(model, input);
    await audit(recordChangeAudit('record.create', model, undefined, created));
    return created;
  });
}

export async function updateRecord(
  project: Project,
  model: string,
  id: number,
  input: unknown,
): Promise<RecordValues> {
  const before = await project.records.get(model, id);
  return auditedTransaction(project.database, async (trx, audit) => {
    const after = await project.records.in(trx).update(model, id, input);
    await audit(recordChangeAudit('record.update', model, before, after));
    return after;
  });
}

export async function deleteRecord(project: Project, model: string, id: number): Promise<void> {
  const before = await project.records.get(model, id);
  await auditedTransaction(project.database, async (trx, audit) => {
    await project.records.in(trx).delete(model, id);
    await audit(recordChangeAudit('record.delete', model, before, undefined));
  });
}

/**
 * A record's change as the audit log keeps it: the model is the target type (hosts: `host`, as
 * the host operations write theirs, so that one object's changes are read together), its name
 * the name.
 */
export function recordChangeAudit(
  action: string,
  model: string,
  before?: RecordValues,
  after?: RecordValues,
) {
  const record = after ?? before;
  const name = record?.['name'];
  return {
    action,
    targetType: auditTargetTypeOf(model),
    targetId: record?.id,
    targetName: typeof name === 'string' ? name : null,
    before,
    after,
  };
}
