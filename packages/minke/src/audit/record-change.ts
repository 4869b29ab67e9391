import type { AuditChange } from './audit-log.js';

/**
 * The audit change builder for one kind of record: the target is the record after the change (or
 * before it, for a delete), named by `nameOf`; both states go in whole (secrets are redacted when
 * the row is written).
 *
 * @example
 *   const hostChange = recordChange<HostRecord>('host', (host) => host.name);
 *   await audit(hostChange('host.update', before, after));
 */
export function recordChange<R extends { id: number }>(
  targetType: string,
  nameOf: (record: R) => string,
): (action: string, before?: R, after?: R) => AuditChange {
  return (action, before, after) => {
    const record = after ?? before;
    return {
      action,
      targetType,
      targetId: record?.id,
      targetName: record && nameOf(record),
      before,
      after,
    };
  };
}
