import type { Kysely } from 'kysely';
import type { Migration } from './migration.js';

/**
 * One object's changes, newest first (an object's Changes tab, `minke records changes`): read off
 * this index instead of the whole audit log, which only ever grows.
 */
export function auditTargetIndex(): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createIndex('minke_audit_log_target')
        .on('minke_audit_log')
        .columns(['target_type', 'target_id', 'id'])
        .execute();
    },
  };
}
