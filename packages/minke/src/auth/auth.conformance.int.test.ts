import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { backendFactories, type TestBackend } from '../../test-support/databases.js';
import type { OpenedProject } from '../runtime/open-project.js';
import { ApiTokenStore } from './api-token-store.js';
import { LoginSessionStore } from './login-session-store.js';
import { sha256Hex } from './secret-token.js';
import { verifyLogin } from './verify-login.js';

const tmp = mkdtempSync(join(tmpdir(), 'minke-auth-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const minute = 60_000;

describe.each(backendFactories(() => tmp))('login sessions and API tokens on $name', ({ make }) => {
  let backend: TestBackend;
  let project: OpenedProject;
  let userId: number;

  beforeEach(async () => {
    backend = make();
    project = await backend.open([]);
    userId = (await project.users.create({ username: 'ada', password: 'correct horse' })).id;
  });
  afterEach(async () => {
    await project.close();
    await backend.cleanup();
  });

  it('creates a session whose token is not stored, resolves it, and logs out', async () => {
    const sessions = new LoginSessionStore(project.database);
    const { token, csrfToken } = await sessions.create(userId);
    const rows = await project.database.db.selectFrom('minke_login_sessions').selectAll().execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]?.['id']).toBe(sha256Hex(token));
    expect(JSON.stringify(rows)).not.toContain(token);
    const resolved = await sessions.resolve(token);
    expect(resolved).toMatchObject({
      csrfToken,
      user: { id: userId, username: 'ada', isSuperuser: false },
    });
    expect(await sessions.resolve(`${token}x`)).toBeUndefined();
    await sessions.delete(token);
    expect(await sessions.resolve(token)).toBeUndefined();
  });

  it('expires when idle, slides while used, and never outlives its maximum age', async () => {
    const policy = { idleMs: 10 * minute, maxAgeMs: 25 * minute, renewEveryMs: minute };
    const sessions = new LoginSessionStore(project.database, policy);
    const t0 = new Date('2030-01-01T00:00:00Z');
    const at = (minutes: number) => new Date(t0.getTime() + minutes * minute);
    const { token } = await sessions.create(userId, t0);
    expect(await sessions.resolve(token, at(9))).toBeDefined(); // slides to 19
    expect(await sessions.resolve(token, at(18))).toBeDefined(); // slides to 25 (the cap)
    const capped = await sessions.resolve(token, at(24));
    expect(capped?.expiresAt.toISOString()).toBe(at(25).toISOString());
    expect(await sessions.resolve(token, at(25.5))).toBeUndefined();

    const idle = await sessions.create(userId, t0);
    expect(await sessions.resolve(idle.token, at(11))).toBeUndefined();
    expect(await sessions.purgeExpired(at(100))).toBeGreaterThanOrEqual(0);
  });

  it('ends every session of a user, and refuses inactive users', async () => {
    const sessions = new LoginSessionStore(project.database);
    const a = await sessions.create(userId);
    const b = await sessions.create(userId);
    expect(await sessions.deleteForUser(userId)).toBe(2);
    expect(await sessions.resolve(a.token)).toBeUndefined();
    const c = await sessions.create(userId);
    await project.database.db
      .updateTable('minke_users')
      .set({ is_active: project.database.adapter.encodeBool(false) })
      .where('id', '=', userId)
      .execute();
    expect(await sessions.resolve(c.token)).toBeUndefined();
    expect(await sessions.resolve(b.token)).toBeUndefined();
  });

  it('creates tokens shown once and stored as sha256, lists, resolves and revokes them', async () => {
    const tokens = new ApiTokenStore(project.database);
    const created = await tokens.create({ userId, name: 'ci' });
    expect(created.token).toMatch(/^mkt_[A-Za-z0-9_-]{43}$/);
    const stored = await project.database.db.selectFrom('minke_api_tokens').selectAll().execute();
    expect(stored[0]?.['token_hash']).toBe(sha256Hex(created.token));
    expect(JSON.stringify(stored)).not.toContain(created.token);
    expect(await tokens.list({ userId })).toEqual([
      expect.objectContaining({
        id: created.id,
        name: 'ci',
        username: 'ada',
        revoked: false,
        lastUsed: null,
      }),
    ]);
    expect(JSON.stringify(await tokens.list())).not.toContain(created.token);
    expect(await tokens.resolve(created.token)).toMatchObject({
      tokenId: created.id,
      user: { id: userId },
    });
    expect((await tokens.get(created.id)).lastUsed).not.toBeNull();
    expect(await tokens.resolve('mkt_nope')).toBeUndefined();
    expect(await tokens.resolve('not a token')).toBeUndefined();
    await tokens.revoke(created.id);
    expect(await tokens.resolve(created.token)).toBeUndefined();
    await expect(tokens.revoke(999)).rejects.toThrow('token 999 does not exist');
    await expect(tokens.create({ userId, name: '  ' })).rejects.toThrow(
      'a token name has 1 to 100 characters',
    );
  });

  it('verifies logins and records the time', async () => {
    expect(await verifyLogin(project.database, project.users, 'ada', 'wrong')).toBeUndefined();
    expect(
      await verifyLogin(project.database, project.users, 'nobody', 'correct horse'),
    ).toBeUndefined();
    const user = await verifyLogin(project.database, project.users, 'ada', 'correct horse');
    expect(user?.id).toBe(userId);
    expect((await project.users.get('ada')).lastLogin).not.toBeNull();
  });
});
