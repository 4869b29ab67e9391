import { InputError } from '../errors.js';
import { sql } from 'kysely';
import type { Database, DynamicKysely } from '../store/database.js';
import { currentAuditActor, type AuditActor } from './audit-context.js';
import { auditRowHash, type AuditRowFields } from './audit-hash.js';
import { redactChange } from './redact-secrets.js';

/** One change to record: what was done to what, and the state before and after. */
export interface AuditChange {
  /** `host.update`, `token.create`, `run.start`, ... */
  action: string;
  targetType: string;
  targetId?: string | number | null | undefined;
  targetName?: string | null | undefined;
  /** Secrets inside are redacted before writing (redact-secrets.ts). */
  before?: unknown;
  after?: unknown;
}

/** A stored row, as the API and CLI show it. */
export interface AuditEntry {
  id: number;
  at: string;
  actor: { id: number | null; name: string };
  via: string;
  ip: string | null;
  action: string;
  target: { type: string; id: string | null; name: string | null };
  before: unknown;
  after: unknown;
  hash: string;
}

export interface AuditQuery {
  /** A user name (exact). */
  actor?: string | undefined;
  /** An action prefix: `host` matches `host.create` and `host.update`. */
  action?: string | undefined;
  /** A target's name or id (exact). */
  target?: string | undefined;
  since?: string | undefined;
  until?: string | undefined;
  limit?: number | undefined;
  offset?: number | undefined;
}

const LOG = 'minke_audit_log';
const HEAD = 'minke_audit_head';

/**
 * Appends one row for a change, named by the current actor (audit-context.ts), linked to the row
 * before it. Called by the operations that make changes, after the change is made.
 */
export async function recordAudit(database: Database, change: AuditChange): Promise<void> {
  await appendAuditRow(database.db, await currentAuditActor(), change);
}

/**
 * The append itself. The first statement of the transaction writes the one head row, which takes
 * that row's lock on PostgreSQL (another server's append waits for this commit) and the write lock
 * on SQLite, so reading the head, inserting and moving the head happen as one step: one chain.
 */
export async function appendAuditRow(
  db: DynamicKysely,
  actor: AuditActor,
  change: AuditChange,
  at: Date = new Date(),
): Promise<number> {
  const { before, after } = redactChange(change.before, change.after);
  return db.transaction().execute(async (trx) => {
    await trx
      .updateTable(HEAD)
      .set((eb) => ({ last_id: eb.ref('last_id') }))
      .where('id', '=', 1)
      .execute();
    const head: { last_id: number | string; last_hash: string } = await trx
      .selectFrom(HEAD)
      .select(['last_id', 'last_hash'])
      .where('id', '=', 1)
      .executeTakeFirstOrThrow();
    const fields: AuditRowFields = {
      id: Number(head.last_id) + 1,
      at: at.toISOString(),
      actorId: actor.userId,
      actorName: actor.name,
      via: actor.via,
      ip: actor.ip,
      action: change.action,
      targetType: change.targetType,
      targetId:
        change.targetId === undefined || change.targetId === null ? null : String(change.targetId),
      targetName: change.targetName ?? null,
      before: before === undefined ? null : JSON.stringify(before),
      after: after === undefined ? null : JSON.stringify(after),
      prevHash: head.last_hash,
    };
    const hash = auditRowHash(fields);
    await trx
      .insertInto(LOG)
      .values({ ...toColumns(fields), hash })
      .execute();
    await trx
      .updateTable(HEAD)
      .set({ last_id: fields.id, last_hash: hash })
      .where('id', '=', 1)
      .execute();
    return fields.id;
  });
}

/** Rows newest first, filtered, one page; with the count of all that match. */
export async function listAudit(
  database: Database,
  query: AuditQuery = {},
): Promise<{ items: AuditEntry[]; total: number }> {
  let select = database.db.selectFrom(LOG);
  if (query.actor !== undefined) select = select.where('actor_name', '=', query.actor);
  if (query.action !== undefined) select = select.where(actionPrefix(query.action));
  if (query.target !== undefined)
    select = select.where((eb) =>
      eb.or([eb('target_name', '=', query.target), eb('target_id', '=', query.target)]),
    );
  if (query.since !== undefined) select = select.where('at', '>=', isoDate(query.since, 'since'));
  if (query.until !== undefined) select = select.where('at', '<=', isoDate(query.until, 'until'));
  const counted = (await select
    .select((eb) => eb.fn.countAll().as('n'))
    .executeTakeFirstOrThrow()) as { n: number | string };
  const rows = (await select
    .selectAll()
    .orderBy('id', 'desc')
    .limit(query.limit ?? 50)
    .offset(query.offset ?? 0)
    .execute()) as StoredRow[];
  return { items: rows.map(toEntry), total: Number(counted.n) };
}

export interface StoredRow {
  id: number | string;
  at: string;
  actor_id: number | null;
  actor_name: string;
  via: string;
  ip: string | null;
  action: string;
  target_type: string;
  target_id: string | null;
  target_name: string | null;
  before_json: string | null;
  after_json: string | null;
  prev_hash: string;
  hash: string;
}

export function fieldsOf(row: StoredRow): AuditRowFields {
  return {
    id: Number(row.id),
    at: row.at,
    actorId: row.actor_id === null ? null : Number(row.actor_id),
    actorName: row.actor_name,
    via: row.via,
    ip: row.ip,
    action: row.action,
    targetType: row.target_type,
    targetId: row.target_id,
    targetName: row.target_name,
    before: row.before_json,
    after: row.after_json,
    prevHash: row.prev_hash,
  };
}

function toColumns(fields: AuditRowFields): Record<string, unknown> {
  return {
    id: fields.id,
    at: fields.at,
    actor_id: fields.actorId,
    actor_name: fields.actorName,
    via: fields.via,
    ip: fields.ip,
    action: fields.action,
    target_type: fields.targetType,
    target_id: fields.targetId,
    target_name: fields.targetName,
    before_json: fields.before,
    after_json: fields.after,
    prev_hash: fields.prevHash,
  };
}

function toEntry(row: StoredRow): AuditEntry {
  return {
    id: Number(row.id),
    at: row.at,
    actor: { id: row.actor_id === null ? null : Number(row.actor_id), name: row.actor_name },
    via: row.via,
    ip: row.ip,
    action: row.action,
    target: { type: row.target_type, id: row.target_id, name: row.target_name },
    before: row.before_json === null ? null : (JSON.parse(row.before_json) as unknown),
    after: row.after_json === null ? null : (JSON.parse(row.after_json) as unknown),
    hash: row.hash,
  };
}

/** `host` matches `host` and `host.*` (substr, not LIKE, so that `_` and `%` are plain). */
function actionPrefix(prefix: string) {
  const dotted = `${prefix}.`;
  return sql<boolean>`(action = ${prefix} or substr(action, 1, ${dotted.length}) = ${dotted})`;
}

function isoDate(text: string, name: string): string {
  const date = new Date(text);
  if (Number.isNaN(date.getTime()))
    throw new InputError(
      `${name} "${text}": expected a date such as 2026-01-31 or 2026-01-31T12:00:00Z`,
    );
  return date.toISOString();
}
