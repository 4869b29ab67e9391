import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiHarness, type ApiHarness, type Caller } from '../../test-support/api-harness.js';
import { backendFactories } from '../../test-support/databases.js';
import { HostLeases } from '../executor/host-lease.js';

const tmp = mkdtempSync(join(tmpdir(), 'minke-api-leases-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

interface Lease {
  host: string;
  owner: string;
  runId: number | null;
  session: string | null;
  since: string | null;
  expiresAt: string;
  expired: boolean;
}

describe.each(backendFactories(() => tmp))('host leases API on $name', ({ make }) => {
  let h: ApiHarness;
  let root: Caller;
  let operator: Caller;
  let runId: number;

  beforeAll(async () => {
    h = await startApiHarness(make());
    await h.user('root', { superuser: true });
    await h.user('operator', { permissions: ['view_host', 'change_host', 'run_sleepy'] });
    root = await h.withToken('root');
    operator = await h.withToken('operator');
    await h.project.hosts.add({ name: 'busy', config: { transport: 'local' } });
    const stale = await h.project.hosts.add({ name: 'stale' });
    await h.project.hosts.add({ name: 'free' });
    // A run that holds its host's lease while it sleeps.
    const started = await root.post('/api/runs', {
      session: 'Sleepy',
      model: 'Host',
      ids: ['busy'],
    });
    expect(started.statusCode).toBe(201);
    runId = started.json<{ id: number }>().id;
    // A lease left by a worker that died: it expired a minute ago.
    await new HostLeases(h.project.database, -60_000).acquire(stale.id, 'gone-worker:4242', runId);
    for (let i = 0; i < 100 && (await leases()).length < 2; i++)
      await new Promise((resolve) => setTimeout(resolve, 100));
  });
  afterAll(async () => {
    await root.post(`/api/runs/${runId}/stop`);
    await h.close();
  });

  const leases = async () => (await root.get('/api/hosts/leases')).json<Lease[]>();

  it('lists every lease with its host, owner, run, session, since and expiry', async () => {
    const list = await leases();
    expect(list.map((l) => [l.host, l.session, l.runId, l.expired])).toEqual([
      ['busy', 'Sleepy', runId, false],
      ['stale', 'Sleepy', runId, true],
    ]);
    expect(list[1]?.owner).toBe('gone-worker:4242');
    for (const lease of list) {
      expect(Number.isNaN(Date.parse(lease.expiresAt))).toBe(false);
      expect(Number.isNaN(Date.parse(lease.since ?? ''))).toBe(false);
    }
  });

  it('is for superusers only', async () => {
    const list = await operator.get('/api/hosts/leases');
    expect(list.statusCode).toBe(403);
    expect(list.json()).toMatchObject({
      error: { code: 'permission_denied', message: 'only superusers may see host leases' },
    });
    const clear = await operator.delete('/api/hosts/stale/lease');
    expect(clear.statusCode).toBe(403);
    expect((await leases()).map((l) => l.host)).toContain('stale');
  });

  it('clears an expired lease, refuses a live one without force, and says why', async () => {
    const stale = await root.delete('/api/hosts/stale/lease');
    expect(stale.statusCode).toBe(200);
    expect(stale.json()).toMatchObject({ host: 'stale', owner: 'gone-worker:4242', expired: true });

    const live = await root.delete('/api/hosts/busy/lease');
    expect(live.statusCode).toBe(409);
    expect(live.json<{ error: { message: string } }>().error.message).toMatch(
      new RegExp(
        `^the lease on busy has not expired \\(held by .+ for run ${runId} until .+\\): that run may still be working on the host; clear it anyway with --force \\(API: \\?force=true\\)$`,
      ),
    );
    expect((await leases()).map((l) => l.host)).toEqual(['busy']);

    const none = await root.delete('/api/hosts/free/lease');
    expect(none.statusCode).toBe(404);
    expect(none.json()).toMatchObject({
      error: { message: 'host free holds no lease: nothing to unlock' },
    });
    const unknown = await root.delete('/api/hosts/nope/lease');
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toMatchObject({ error: { message: 'host nope does not exist' } });

    const forced = await root.delete('/api/hosts/busy/lease?force=true');
    expect(forced.statusCode).toBe(200);
    expect(forced.json()).toMatchObject({ host: 'busy', runId, expired: false });
    expect(await leases()).toEqual([]);
  });
});
