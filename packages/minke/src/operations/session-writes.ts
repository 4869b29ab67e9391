import { runWithAuditActor, type AuditActor } from '../audit/audit-context.js';
import { auditedTransaction } from '../audit/audit-log.js';
import { fieldChanges } from '../audit/record-history.js';
import type { RecordValues } from '../model/record-codec.js';
import { displayValue } from '../util/display-value.js';
import type { Project } from './project.js';
import { recordChangeAudit } from './record-changes.js';

/** The session and run that write to an object. */
export interface SessionWriter {
  session: string;
  runId: number;
}

/**
 * A session's write to its object (`updateField`, `this.obj` saved). One that changes a value is
 * in the audit log, by `session NAME` via `run N`, so that the object's Changes show what its
 * sessions found; one that changes nothing (a nightly inventory that finds the same) is a plain
 * write. Only a write expected to change takes the audit chain's lock, so that the sessions of a
 * large run do not queue for it to write what they read.
 */
export async function writeFromSession(
  project: Project,
  model: string,
  id: number,
  values: Record<string, unknown>,
  writer: SessionWriter,
): Promise<RecordValues> {
  const before = await project.records.get(model, id);
  if (!Object.entries(values).some(([field, value]) => differs(before[field], value)))
    return project.records.update(model, id, values);
  const actor: AuditActor = {
    userId: null,
    name: `session ${writer.session}`,
    via: `run ${writer.runId}`,
    ip: null,
  };
  return runWithAuditActor(
    () => actor,
    () =>
      auditedTransaction(project.database, async (trx, audit) => {
        const after = await project.records.in(trx).update(model, id, values);
        if (fieldChanges(before, after).length > 0)
          await audit(recordChangeAudit('record.update', model, before, after));
        return after;
      }),
  );
}

/**
 * Whether a value a session writes may differ from the stored one, as one line of text each
 * (`2` and `"2"` alike, none and empty alike). Loose on purpose: a write wrongly taken for a
 * change only costs the audit lock; its row is written only if the stored values did change.
 */
function differs(stored: unknown, written: unknown): boolean {
  return displayValue(stored) !== displayValue(written);
}
