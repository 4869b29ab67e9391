import { createHash } from 'node:crypto';

/** The hash the first row of a new chain links to. */
export const GENESIS_HASH = '0'.repeat(64);

/** The stored fields of one audit row, as hashed (JSON texts exactly as stored). */
export interface AuditRowFields {
  id: number;
  at: string;
  actorId: number | null;
  actorName: string;
  via: string;
  ip: string | null;
  action: string;
  targetType: string;
  targetId: string | null;
  targetName: string | null;
  before: string | null;
  after: string | null;
  prevHash: string;
}

/**
 * SHA-256 over a canonical serialisation of a row (a JSON array in a fixed field order, the
 * before/after as their stored text): any edit of any field, or of the link to the row before,
 * changes the hash.
 */
export function auditRowHash(row: AuditRowFields): string {
  const canonical = JSON.stringify([
    row.id,
    row.at,
    row.actorId,
    row.actorName,
    row.via,
    row.ip,
    row.action,
    row.targetType,
    row.targetId,
    row.targetName,
    row.before,
    row.after,
    row.prevHash,
  ]);
  return createHash('sha256').update(canonical, 'utf8').digest('hex');
}
