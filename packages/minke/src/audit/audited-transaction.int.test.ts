import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { backendFactories, type TestBackend } from '../../test-support/databases.js';
import type { OpenedProject } from '../runtime/open-project.js';
import { auditedTransaction, listAudit } from './audit-log.js';
import { verifyAudit } from './verify-audit.js';

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'minke-audited-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe.each(backendFactories(() => tmp))('a change and its audit row on $name', ({ make }) => {
  let backend: TestBackend;
  let project: OpenedProject;

  beforeEach(async () => {
    backend = make();
    project = await backend.open([]);
  });
  afterEach(async () => {
    await project.close();
    await backend.cleanup();
  });

  async function hostNames(): Promise<string[]> {
    const rows = await project.database.tables.selectFrom('minke_hosts').select('name').execute();
    return rows.map((row) => row.name);
  }

  it('leaves no change when its audit row cannot be written', async () => {
    await project.hosts.addGroup({ name: 'db' });
    await project.hosts.add({ name: 'web1', hostname: '127.0.0.1' });
    // Without the chain's head no row can be appended: every audited write must fail whole.
    await sql`delete from minke_audit_head`.execute(project.database.db);

    await expect(project.hosts.add({ name: 'web2', groups: ['db'] })).rejects.toThrow();
    await expect(
      project.hosts.update('web1', { comment: 'changed', groups: ['db'] }),
    ).rejects.toThrow();
    await expect(project.hosts.remove('web1')).rejects.toThrow();
    await expect(project.hosts.updateGroup('db', { members: ['web1'] })).rejects.toThrow();
    await expect(project.hosts.removeGroup('db')).rejects.toThrow();

    expect(await hostNames()).toEqual(['web1']);
    const web1 = await project.hosts.get('web1');
    expect(web1).toMatchObject({ comment: null, groups: [] });
    expect(await project.hosts.getGroup('db')).toMatchObject({ members: [] });
    expect((await listAudit(project.database)).total).toBe(2);
  });

  it('leaves no audit row when the change fails after it', async () => {
    await project.hosts.add({ name: 'web1' });
    await expect(
      auditedTransaction(project.database, async (trx, audit) => {
        await audit({ action: 'host.create', targetType: 'host', targetName: 'web1' });
        // The same name again: the unique constraint fails the change after its row was written.
        await trx.tables.insertInto('minke_hosts').values({ name: 'web1' }).execute();
      }),
    ).rejects.toThrow();
    expect((await listAudit(project.database)).items.map((row) => row.action)).toEqual([
      'host.create',
    ]);
    expect(await verifyAudit(project.database)).toEqual({ ok: true, rows: 1, lastId: 1 });
  });

  it('keeps one verifiable chain under a burst of concurrent audited changes', async () => {
    // PostgreSQL: two pools, as two servers. SQLite: one process's changes share its connection.
    const second =
      backend.name === 'postgres' ? await backend.reopen([], { migrate: false }) : project;
    try {
      await project.hosts.addGroup({ name: 'all' });
      const changes = Array.from({ length: 16 }, (_, i) =>
        (i % 2 === 0 ? project : second).hosts.add({ name: `h${i}`, groups: ['all'] }),
      );
      await Promise.all(changes);
      const updates = Array.from({ length: 16 }, (_, i) =>
        (i % 2 === 0 ? second : project).hosts.update(`h${i}`, { comment: `n${i}` }),
      );
      await Promise.all(updates);
      expect((await project.hosts.getGroup('all')).hosts).toBe(16);
      expect(await verifyAudit(project.database)).toEqual({ ok: true, rows: 33, lastId: 33 });
    } finally {
      if (second !== project) await second.close();
    }
  });
});
