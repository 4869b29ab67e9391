import type { Database } from '../store/database.js';
import { GENESIS_HASH, auditRowHash } from './audit-hash.js';
import { fieldsOf } from './audit-log.js';
import { PRUNED_ACTION } from './prune-audit.js';

export type AuditVerdict =
  | { ok: true; rows: number; lastId: number }
  | { ok: false; rows: number; brokenId: number; reason: string };

const PAGE = 1000;

/**
 * Walks the chain from the oldest row: each row's hash must match its content, each must link to
 * the row before, and the head must name the newest row. The oldest row links to the genesis
 * hash, or, after pruning, to the hash an `audit.pruned` row recorded for the last row it removed.
 */
export async function verifyAudit(database: Database): Promise<AuditVerdict> {
  const db = database.tables;
  let expectedPrev: string | undefined;
  let previousId: number | undefined;
  let rows = 0;
  for (let page = 0; page < Number.MAX_SAFE_INTEGER / PAGE; page++) {
    let select = db.selectFrom('minke_audit_log').selectAll().orderBy('id').limit(PAGE);
    if (previousId !== undefined) select = select.where('id', '>', previousId);
    const batch = await select.execute();
    for (const row of batch) {
      const fields = fieldsOf(row);
      expectedPrev ??= await firstLink(database, fields.id);
      if (fields.prevHash !== expectedPrev)
        return broken(rows, fields.id, 'it does not link to the row before it');
      if (previousId !== undefined && fields.id !== previousId + 1)
        return broken(rows, fields.id, `rows ${previousId + 1}..${fields.id - 1} are missing`);
      if (auditRowHash(fields) !== row.hash)
        return broken(rows, fields.id, 'its content does not match its hash');
      expectedPrev = row.hash;
      previousId = fields.id;
      rows++;
    }
    if (batch.length < PAGE) break;
  }
  const head = await db
    .selectFrom('minke_audit_head')
    .select(['last_id', 'last_hash'])
    .where('id', '=', 1)
    .executeTakeFirstOrThrow();
  const lastId = previousId ?? 0;
  if (Number(head.last_id) !== lastId || head.last_hash !== (expectedPrev ?? GENESIS_HASH))
    return broken(
      rows,
      Number(head.last_id),
      'the newest rows were removed or the head was edited',
    );
  return { ok: true, rows, lastId };
}

/** What the oldest row must link to: genesis, or the last pruned row's hash. */
async function firstLink(database: Database, firstId: number): Promise<string> {
  if (firstId === 1) return GENESIS_HASH;
  const pruned = await database.tables
    .selectFrom('minke_audit_log')
    .select('after_json')
    .where('action', '=', PRUNED_ACTION)
    .orderBy('id', 'desc')
    .execute();
  for (const row of pruned) {
    const after = JSON.parse(row.after_json ?? '{}') as {
      lastPrunedId?: number;
      lastPrunedHash?: string;
    };
    if (after.lastPrunedId === firstId - 1 && after.lastPrunedHash) return after.lastPrunedHash;
  }
  return GENESIS_HASH;
}

function broken(rows: number, brokenId: number, reason: string): AuditVerdict {
  return { ok: false, rows, brokenId, reason };
}
