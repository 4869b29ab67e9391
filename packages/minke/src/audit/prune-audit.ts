import type { Database } from '../store/database.js';
import { auditedTransaction, deleteAuditRowsUpTo } from './audit-log.js';

export const PRUNED_ACTION = 'audit.pruned';

/**
 * Removes rows older than the retention, oldest first, and records one `audit.pruned` row that
 * carries the last removed row's id and hash: the oldest kept row links to that hash, so the
 * chain stays verifiable from there. Returns how many rows were removed. When every row was old,
 * the pruned row itself is the oldest and links to the last removed one through the head.
 */
export async function pruneAudit(
  database: Database,
  retentionDays: number,
  now: Date = new Date(),
): Promise<number> {
  const cutoff = new Date(now.getTime() - retentionDays * 86_400_000).toISOString();
  return auditedTransaction(database, async (trx, audit) => {
    const last = await trx.tables
      .selectFrom('minke_audit_log')
      .select(['id', 'hash'])
      .where('at', '<', cutoff)
      .orderBy('id', 'desc')
      .limit(1)
      .executeTakeFirst();
    if (!last) return 0;
    const lastPrunedId = Number(last.id);
    const count = await deleteAuditRowsUpTo(trx.tables, lastPrunedId);
    await audit({
      action: PRUNED_ACTION,
      targetType: 'audit',
      after: {
        removed: count,
        before: cutoff,
        lastPrunedId,
        lastPrunedHash: last.hash,
        retentionDays,
      },
    });
    return count;
  });
}
