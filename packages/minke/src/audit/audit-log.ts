import type { AuditEntry } from '@minke/contract';
import { InputError } from '../errors.js';
import { sql, type Insertable, type Selectable } from 'kysely';
import type { Database } from '../store/database.js';
import { countedPage } from '../store/counted-page.js';
import type { MinkeKysely } from '../store/minke-kysely.js';
import { inTransaction, type DatabaseHandle } from '../store/transaction.js';
import type { AuditLogTable } from '../store/minke-tables.js';
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

/** A stored row, as the API and CLI show it (the contract's `auditEntry`). */
export type { AuditEntry };

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

/** Writes the audit row of a change, inside the transaction that makes the change. */
export type Audit = (change: AuditChange) => Promise<void>;

/**
 * Runs `work` in one transaction with an `audit` function that appends rows to the same
 * transaction: the change and its audit row commit together or not at all. The actor (audit-context.ts)
 * is resolved before the transaction opens: looking it up may query the database, which on SQLite
 * would wait for the very connection the transaction holds.
 *
 * @example
 *   await auditedTransaction(database, async (trx, audit) => {
 *     const host = await hostStore.in(trx).insertHost(values);
 *     await audit({ action: 'host.create', targetType: 'host', targetId: host.id, after: host });
 *   });
 */
export async function auditedTransaction<T>(
  database: DatabaseHandle,
  work: (trx: DatabaseHandle, audit: Audit) => Promise<T>,
): Promise<T> {
  const actor = await currentAuditActor();
  return inTransaction(database, async (trx) => {
    // The head's write lock first, before the change reads anything: on SQLite a transaction that
    // has read cannot take the write lock once another process wrote ("database is locked" at
    // once, no waiting); this way it waits for the other writer, then reads fresh rows.
    await takeAuditHead(trx.tables);
    return work(trx, async (change) => {
      await appendAuditRow(trx.tables, actor, change);
    });
  });
}

/**
 * Writes the head row unchanged, and reads it: the row lock on PostgreSQL, the write lock on
 * SQLite, and the chain's last id and hash, in one statement.
 */
async function takeAuditHead(db: MinkeKysely): Promise<{ last_id: number; last_hash: string }> {
  return db
    .updateTable('minke_audit_head')
    .set((eb) => ({ last_id: eb.ref('last_id') }))
    .where('id', '=', 1)
    .returning(['last_id', 'last_hash'])
    .executeTakeFirstOrThrow();
}

/**
 * Records a change already made elsewhere, in a transaction of its own. Prefer
 * `auditedTransaction`, which makes the change and its row one commit.
 */
export async function recordAudit(database: DatabaseHandle, change: AuditChange): Promise<void> {
  await auditedTransaction(database, (_trx, audit) => audit(change));
}

/**
 * The append itself, in `db`'s transaction (or a new one). Its first statement writes the one
 * head row, which takes that row's lock on PostgreSQL (another append waits for this commit) and
 * the write lock on SQLite, so reading the head, inserting and moving the head happen as one
 * step: one chain, however many servers append at once.
 */
export async function appendAuditRow(
  db: MinkeKysely,
  actor: AuditActor,
  change: AuditChange,
  at: Date = new Date(),
): Promise<number> {
  if (!db.isTransaction) {
    return db.transaction().execute((trx) => appendAuditRow(trx, actor, change, at));
  }
  const { before, after } = redactChange(change.before, change.after);
  const head = await takeAuditHead(db);
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
  await db
    .insertInto('minke_audit_log')
    .values({ ...toColumns(fields), hash })
    .execute();
  await db
    .updateTable('minke_audit_head')
    .set({ last_id: fields.id, last_hash: hash })
    .where('id', '=', 1)
    .execute();
  return fields.id;
}

/** Removes the rows up to `lastId` (pruning), in the caller's transaction; returns how many. */
export async function deleteAuditRowsUpTo(db: MinkeKysely, lastId: number): Promise<number> {
  const removed = await db
    .deleteFrom('minke_audit_log')
    .where('id', '<=', lastId)
    .executeTakeFirst();
  return Number(removed.numDeletedRows);
}

/** Rows newest first, filtered, one page; with the count of all that match. */
export async function listAudit(
  database: Database,
  query: AuditQuery = {},
): Promise<{ items: AuditEntry[]; total: number }> {
  let select = database.tables.selectFrom('minke_audit_log');
  if (query.actor !== undefined) select = select.where('actor_name', '=', query.actor);
  if (query.action !== undefined) select = select.where(actionPrefix(query.action));
  const { target } = query;
  if (target !== undefined)
    select = select.where((eb) =>
      eb.or([eb('target_name', '=', target), eb('target_id', '=', target)]),
    );
  if (query.since !== undefined) select = select.where('at', '>=', isoDate(query.since, 'since'));
  if (query.until !== undefined) select = select.where('at', '<=', isoDate(query.until, 'until'));
  const { rows, total } = await countedPage(
    select,
    { limit: query.limit ?? 50, offset: query.offset ?? 0 },
    (page) => page.selectAll().orderBy('id', 'desc'),
  );
  return { items: rows.map(toEntry), total };
}

export type StoredRow = Selectable<AuditLogTable>;

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

function toColumns(fields: AuditRowFields): Omit<Insertable<AuditLogTable>, 'hash'> {
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
