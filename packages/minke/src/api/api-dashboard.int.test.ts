import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiHarness, type ApiHarness } from '../../test-support/api-harness.js';
import { sqliteBackend } from '../../test-support/databases.js';

let harness: ApiHarness;
beforeAll(async () => {
  harness = await startApiHarness(sqliteBackend());
  await harness.user('root', { superuser: true });
  await harness.user('viewer', { permissions: ['view_host'] });
  await harness.user('plain', { permissions: [] });
});
afterAll(async () => {
  await harness.close();
});

describe('GET /api/dashboard and /api/brand', () => {
  it('needs a login for the figures, not for the brand', async () => {
    expect((await harness.anonymous.get('/api/dashboard')).statusCode).toBe(401);
    const brand = await harness.anonymous.get('/api/brand');
    expect(brand.statusCode).toBe(200);
    // the test project is the folder the tests run in: its package.json names it
    const dir = harness.project.config.projectDir;
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name: string };
    expect(brand.json()).toEqual({ project: pkg.name });
  });

  it('shows hosts and agents only to those who may view hosts', async () => {
    const root = await harness.withToken('root');
    const viewer = await harness.withToken('viewer');
    const plain = await harness.withToken('plain');
    const all = (await root.get('/api/dashboard?days=3')).json<Record<string, unknown>>();
    expect(all).toMatchObject({ failingHosts: [], agents: { online: 0, total: 0 } });
    expect(all.sessionsPerDay).toHaveLength(3);
    // agents online every hour of the week (whatever `days` says), now last: none here
    const overTime = (all.agents as { overTime: { at: string; online: number }[] }).overTime;
    expect(overTime).toHaveLength(7 * 24 + 1);
    expect(overTime.every((point) => point.online === 0)).toBe(true);
    expect((await viewer.get('/api/dashboard')).json()).toMatchObject({ failingHosts: [] });
    const hidden = (await plain.get('/api/dashboard')).json<Record<string, unknown>>();
    expect(hidden).toMatchObject({ failingHosts: null, agents: null, slowestSessions: [] });
    expect(hidden.sessionsPerDay).toHaveLength(14);
  });

  it('refuses a period it does not draw, with the reason', async () => {
    const root = await harness.withToken('root');
    const reply = await root.get('/api/dashboard?days=365');
    expect(reply.statusCode).toBe(400);
    expect(reply.body).toContain('days');
  });
});
