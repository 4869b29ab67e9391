import { recordAudit } from '../audit/audit-log.js';
import type { RecordValues } from '../model/record-codec.js';
import type { Project } from '../project/open-project.js';

/**
 * Writes to records of the project's models as a person makes them (the API's record routes),
 * each recorded in the audit log with the record before and after. Hosts added or changed through
 * the host operations are recorded there.
 */
export async function createRecord(
  project: Project,
  model: string,
  input: unknown,
): Promise<RecordValues> {
  const created = await project.records.create(model, input);
  await recordAudit(project.database, change('record.create', model, undefined, created));
  return created;
}

export async function updateRecord(
  project: Project,
  model: string,
  id: number,
  input: unknown,
): Promise<RecordValues> {
  const before = await project.records.get(model, id);
  const after = await project.records.update(model, id, input);
  await recordAudit(project.database, change('record.update', model, before, after));
  return after;
}

export async function deleteRecord(project: Project, model: string, id: number): Promise<void> {
  const before = await project.records.get(model, id);
  await project.records.delete(model, id);
  await recordAudit(project.database, change('record.delete', model, before, undefined));
}

function change(action: string, model: string, before?: RecordValues, after?: RecordValues) {
  const record = after ?? before;
  const name = record?.['name'];
  return {
    action,
    targetType: model,
    targetId: record?.id,
    targetName: typeof name === 'string' ? name : null,
    before,
    after,
  };
}
