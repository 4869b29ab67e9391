import type { FieldChange, RecordChange } from '@minke/contract';
import type { Database } from '../store/database.js';
import { countedPage } from '../store/counted-page.js';

/** The audit target of a model's records: hosts are audited by the host operations. */
export function auditTargetTypeOf(model: string): string {
  return model === 'Host' ? 'host' : model;
}

/** Kept by the store on every write: a change in them says nothing a person asked for. */
const BOOKKEEPING = new Set(['id', 'created_at', 'updated_at']);

/**
 * One record's changes, newest first, from the audit log (a NetBox-style changelog): each with
 * the fields it changed. A session's write that changed a value is here too
 * (`operations/session-writes.ts`); one that wrote the stored value again is not.
 */
export async function recordHistory(
  database: Database,
  model: string,
  id: number,
  window: { limit: number; offset: number },
): Promise<{ items: RecordChange[]; total: number; limit: number; offset: number }> {
  const select = database.tables
    .selectFrom('minke_audit_log')
    .where('target_type', '=', auditTargetTypeOf(model))
    .where('target_id', '=', String(id));
  const { rows, total } = await countedPage(select, window, (page) =>
    page
      .select(['id', 'at', 'actor_id', 'actor_name', 'via', 'action', 'before_json', 'after_json'])
      .orderBy('id', 'desc'),
  );
  const items = rows.map((row) => ({
    id: Number(row.id),
    at: row.at,
    actor: { id: row.actor_id === null ? null : Number(row.actor_id), name: row.actor_name },
    via: row.via,
    action: row.action,
    fields: fieldChanges(parsed(row.before_json), parsed(row.after_json)),
  }));
  return { items, total, ...window };
}

/**
 * The fields whose values differ between two states of a record (those with a value, for a
 * create or a delete), in the order the record lists them; values compared as JSON, with an
 * empty text or list the same as none (a new host's `groups: []` is no change).
 */
export function fieldChanges(
  before: Record<string, unknown> | null,
  after: Record<string, unknown> | null,
): FieldChange[] {
  const names = [...new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {})])];
  return names
    .filter((field) => !BOOKKEEPING.has(field))
    .map((field) => ({
      field,
      before: valueOrNull(before?.[field]),
      after: valueOrNull(after?.[field]),
    }))
    .filter((change) => JSON.stringify(change.before) !== JSON.stringify(change.after));
}

function valueOrNull(value: unknown): unknown {
  const empty = value === undefined || value === '' || (Array.isArray(value) && value.length === 0);
  return empty ? null : value;
}

function parsed(json: string | null): Record<string, unknown> | null {
  if (json === null) return null;
  const value = JSON.parse(json) as unknown;
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : null;
}
