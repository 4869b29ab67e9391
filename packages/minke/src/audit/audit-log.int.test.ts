import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { backendFactories, type TestBackend } from '../../test-support/databases.js';
import { ApiTokenStore } from '../auth/api-token-store.js';
import type { OpenedProject } from '../runtime/open-project.js';
import { HostKeyStore } from '../hosts/host-key-store.js';
import { runWithAuditActor, type AuditActor } from './audit-context.js';
import { appendAuditRow, listAudit } from './audit-log.js';
import { pruneAudit } from './prune-audit.js';
import { verifyAudit } from './verify-audit.js';

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'minke-audit-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

const alice: AuditActor = { userId: 7, name: 'alice', via: 'token deploy-bot', ip: '127.0.0.9' };
const secretFile = '/etc/minke/never-in-the-log.pass';
const envName = 'DB_ROOT_PASSWORD_VAR';

describe.each(backendFactories(() => tmp))('audit log on $name', ({ make }) => {
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

  async function tableText(): Promise<string> {
    const rows = await project.database.db.selectFrom('minke_audit_log').selectAll().execute();
    return JSON.stringify(rows);
  }

  it('records host and group changes with the actor, and never a secret value or reference', async () => {
    await runWithAuditActor(
      () => alice,
      async () => {
        await project.hosts.addGroup({ name: 'db', config: { password: { env: envName } } });
        await project.hosts.add({ name: 'web1', hostname: '127.0.0.1', groups: ['db'] });
        await project.hosts.update('web1', {
          config: { password: { file: secretFile }, port: 2222 },
        });
        await project.hosts.update('web1', { config: { password: { credential: 'db-root' } } });
        await project.hosts.remove('web1');
      },
    );
    const { items, total } = await listAudit(project.database);
    expect(total).toBe(5);
    expect(items.map((row) => row.action)).toEqual([
      'host.delete',
      'host.update',
      'host.update',
      'host.create',
      'group.create',
    ]);
    expect(items[0]).toMatchObject({
      actor: { id: 7, name: 'alice' },
      via: 'token deploy-bot',
      ip: '127.0.0.9',
      target: { type: 'host', name: 'web1' },
    });
    // That the secret was set and changed shows; its value and where it is read from do not.
    expect(items[2]?.after).toMatchObject({ config: { password: '[secret]' } });
    expect(items[1]?.after).toMatchObject({ config: { password: { credential: 'db-root' } } });
    expect(items[1]?.before).toMatchObject({ config: { password: '[secret]' } });
    expect(items[4]?.after).toMatchObject({ config: { password: '[secret]' } });
    const text = await tableText();
    expect(text).not.toContain(secretFile);
    expect(text).not.toContain(envName);
  });

  it('records tokens by name, never the token, as made by the CLI operator outside a request', async () => {
    const user = await project.users.create({ username: 'bob', password: 'pw-bob-123456' });
    const created = await new ApiTokenStore(project.database).create({
      userId: user.id,
      name: 'ci',
    });
    await new ApiTokenStore(project.database).revoke(created.id);
    const { items } = await listAudit(project.database, { action: 'token' });
    expect(items.map((row) => row.action)).toEqual(['token.revoke', 'token.create']);
    expect(items[0]).toMatchObject({ actor: { id: null, name: 'operator (CLI)' }, via: 'cli' });
    expect(items[0]?.target).toMatchObject({ type: 'token', name: 'ci' });
    expect(await tableText()).not.toContain(created.token);
  });

  it('records host keys trusted and replaced by their fingerprints', async () => {
    const store = new HostKeyStore(project.database);
    const book = store.book();
    const key = (n: number) => ({ type: 'ssh-ed25519', blob: Buffer.alloc(51, n) });
    await book.offer('web1', '127.0.0.1:22', key(1));
    const first = (await store.list('web1'))[0]?.fingerprint ?? 'missing';
    await runWithAuditActor(
      () => alice,
      () => store.trust('web1', first, 'alice'),
    );
    await book.offer('web1', '127.0.0.1:22', key(2));
    const second = (await store.list('web1')).find((k) => k.status === 'pending')?.fingerprint;
    await runWithAuditActor(
      () => alice,
      () => store.trust('web1', second ?? 'missing', 'alice'),
    );
    const { items } = await listAudit(project.database, { action: 'hostkey' });
    expect(items.map((row) => [row.action, row.actor.name, row.target.name])).toEqual([
      ['hostkey.replace', 'alice', 'web1'],
      ['hostkey.trust', 'alice', 'web1'],
    ]);
    expect(items[0]).toMatchObject({
      before: { fingerprint: first },
      after: { fingerprint: second },
    });
  });

  it('filters by actor, action prefix, target and time', async () => {
    const bob: AuditActor = { userId: 8, name: 'bob', via: 'web session', ip: '127.0.0.2' };
    await appendAuditRow(
      project.database.tables,
      alice,
      { action: 'host.create', targetType: 'host', targetName: 'a' },
      new Date('2026-01-01T00:00:00Z'),
    );
    await appendAuditRow(
      project.database.tables,
      bob,
      { action: 'hostgroup.x', targetType: 'group', targetName: 'b' },
      new Date('2026-02-01T00:00:00Z'),
    );
    await appendAuditRow(
      project.database.tables,
      bob,
      { action: 'host.update', targetType: 'host', targetName: 'a' },
      new Date('2026-03-01T00:00:00Z'),
    );
    const ids = async (query: Parameters<typeof listAudit>[1]) =>
      (await listAudit(project.database, query)).items.map((row) => row.id);
    expect(await ids({ actor: 'bob' })).toEqual([3, 2]);
    expect(await ids({ action: 'host' })).toEqual([3, 1]);
    expect(await ids({ target: 'b' })).toEqual([2]);
    expect(await ids({ since: '2026-01-15', until: '2026-02-15' })).toEqual([2]);
    expect(await ids({ limit: 1, offset: 1 })).toEqual([2]);
    await expect(listAudit(project.database, { since: 'yesterday-ish' })).rejects.toThrow(
      'since "yesterday-ish": expected a date',
    );
  });

  it('verifies the chain and names the first edited row', async () => {
    for (let i = 0; i < 4; i++)
      await appendAuditRow(project.database.tables, alice, {
        action: 'host.update',
        targetType: 'host',
        targetName: `h${i}`,
      });
    expect(await verifyAudit(project.database)).toEqual({ ok: true, rows: 4, lastId: 4 });
    await sql`update minke_audit_log set actor_name = 'mallory' where id = 3`.execute(
      project.database.db,
    );
    expect(await verifyAudit(project.database)).toMatchObject({ ok: false, brokenId: 3 });
  });

  it('notices the newest row deleted', async () => {
    for (let i = 0; i < 3; i++)
      await appendAuditRow(project.database.tables, alice, {
        action: 'host.update',
        targetType: 'host',
      });
    await sql`delete from minke_audit_log where id = 3`.execute(project.database.db);
    expect(await verifyAudit(project.database)).toMatchObject({ ok: false, brokenId: 3 });
  });

  it('keeps one chain when two connections append at once', async () => {
    // PostgreSQL: two pools, as two servers. SQLite is single-writer: one process's appends
    // share its connection (two connections in one process would wait on each other's lock).
    const second =
      backend.name === 'postgres' ? await backend.reopen([], { migrate: false }) : project;
    try {
      const appends = Array.from({ length: 40 }, (_, i) =>
        appendAuditRow((i % 2 === 0 ? project : second).database.tables, alice, {
          action: 'run.start',
          targetType: 'run',
          targetId: i,
        }),
      );
      const ids = await Promise.all(appends);
      expect(new Set(ids).size).toBe(40);
      expect(await verifyAudit(project.database)).toEqual({ ok: true, rows: 40, lastId: 40 });
    } finally {
      if (second !== project) await second.close();
    }
  });

  it('prunes old rows and stays verifiable from the pruned row', async () => {
    const old = new Date('2020-01-01T00:00:00Z');
    for (let i = 0; i < 3; i++)
      await appendAuditRow(
        project.database.tables,
        alice,
        { action: 'host.update', targetType: 'host' },
        old,
      );
    await appendAuditRow(project.database.tables, alice, {
      action: 'host.update',
      targetType: 'host',
    });
    expect(await pruneAudit(project.database, 30)).toBe(3);
    const { items } = await listAudit(project.database);
    expect(items.map((row) => [row.id, row.action])).toEqual([
      [5, 'audit.pruned'],
      [4, 'host.update'],
    ]);
    expect(items[0]?.after).toMatchObject({ removed: 3, lastPrunedId: 3 });
    expect(await verifyAudit(project.database)).toEqual({ ok: true, rows: 2, lastId: 5 });
    await sql`update minke_audit_log set after_json = '{}' where id = 5`.execute(
      project.database.db,
    );
    expect(await verifyAudit(project.database)).toMatchObject({ ok: false });
  });
});
