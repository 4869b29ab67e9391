import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sqliteBackend } from '../../test-support/databases.js';
import { resolveConfig } from '../config/resolve-config.js';
import { silentLogger } from '../logger.js';
import type { OpenedProject } from '../runtime/open-project.js';
import { appendAuditRow, listAudit } from './audit-log.js';
import { startAuditRetention } from './audit-retention.js';
import { verifyAudit } from './verify-audit.js';

const where = { projectDir: process.cwd(), configFile: 'minke.config.ts' };

describe('audit.retentionDays', () => {
  it('is unset (keep forever) by default, read from the file and overridden by the environment', () => {
    expect(resolveConfig({}, where, {}).audit.retentionDays).toBeUndefined();
    expect(resolveConfig({ audit: { retentionDays: 90 } }, where, {}).audit.retentionDays).toBe(90);
    const fromEnv = resolveConfig({ audit: { retentionDays: 90 } }, where, {
      MINKE_AUDIT_RETENTION_DAYS: '30',
    });
    expect(fromEnv.audit.retentionDays).toBe(30);
    expect(() => resolveConfig({}, where, { MINKE_AUDIT_RETENTION_DAYS: 'forever' })).toThrow(
      'MINKE_AUDIT_RETENTION_DAYS="forever": expected a whole number from 1 to 365000',
    );
    expect(() => resolveConfig({ audit: { retentionDays: 0 } }, where, {})).toThrow(
      /audit\.retentionDays/,
    );
  });
});

describe('audit retention on the server', () => {
  let project: OpenedProject;
  beforeEach(async () => {
    project = await sqliteBackend().open([]);
  });
  afterEach(() => project.close());

  it('prunes rows past the retention at start, as "audit retention", and the chain verifies', async () => {
    const actor = { userId: 1, name: 'root', via: 'cli', ip: null };
    const old = new Date(Date.now() - 40 * 86_400_000);
    await appendAuditRow(
      project.database.tables,
      actor,
      { action: 'host.create', targetType: 'host' },
      old,
    );
    await appendAuditRow(project.database.tables, actor, {
      action: 'host.update',
      targetType: 'host',
    });
    const stop = startAuditRetention(project.database, 30, silentLogger);
    await stop(); // waits for the first pass
    const { items } = await listAudit(project.database);
    expect(items.map((row) => [row.id, row.action, row.actor.name, row.via])).toEqual([
      [3, 'audit.pruned', 'audit retention', 'server'],
      [2, 'host.update', 'root', 'cli'],
    ]);
    expect(await verifyAudit(project.database)).toEqual({ ok: true, rows: 2, lastId: 3 });
  });
});
