import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunSessionsPage } from '@minke/contract';
import {
  Service,
  startApiHarness,
  type ApiHarness,
  type Caller,
} from '../../test-support/api-harness.js';
import { backendFactories } from '../../test-support/databases.js';
import { runFinished } from '../../test-support/run-waiter.js';
import { SingleCommandSession } from '../session/builtin-sessions.js';

const tmp = mkdtempSync(join(tmpdir(), 'minke-api-run-sessions-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Fails on the services named bad-…, succeeds on the others. */
class Mixed extends SingleCommandSession {
  static override workOn = [Service];
  static override command = 'case {name} in bad-*) echo broken; exit 3;; esac; echo fine';
}

class Waits extends SingleCommandSession {
  static override workOn = [Service];
  static override command = 'sleep 30 # minke-run-sessions-waits';
}

const GOOD = ['good-1', 'good-2', 'good-3', 'good-4', 'good-5'];

describe.each(backendFactories(() => tmp))("a run's sessions page by page on $name", ({ make }) => {
  let h: ApiHarness;
  let runner: Caller;
  let blind: Caller;
  let other: Caller;
  let runId: number;
  const ids: Record<string, number> = {};

  beforeAll(async () => {
    h = await startApiHarness(make(), {}, [Mixed, Waits]);
    const permissions = ['view_service', 'view_host', 'run_mixed', 'run_waits'];
    await h.user('runner', { permissions });
    await h.user('other', { permissions });
    // May run on services without seeing hosts: the run's sessions come without host names.
    await h.user('blind', { permissions: ['view_service', 'run_mixed'] });
    runner = await h.withToken('runner');
    other = await h.withToken('other');
    blind = await h.withToken('blind');
    const local = await h.project.hosts.add({ name: 'local', config: { transport: 'local' } });
    const off = await h.project.hosts.add({
      name: 'off',
      config: { transport: 'local' },
      disabled: true,
    });
    for (const name of [...GOOD, 'bad-1', 'bad-2'])
      ids[name] = (await h.project.records.create('Service', { host: local.id, name })).id;
    ids['off-1'] = (await h.project.records.create('Service', { host: off.id, name: 'off-1' })).id;
    runId = await runToEnd(runner, 'Mixed', Object.values(ids));
  });
  afterAll(() => h.close());

  async function runToEnd(caller: Caller, session: string, objects: number[]): Promise<number> {
    const reply = await caller.post('/api/runs', { session, model: 'Service', ids: objects });
    expect(reply.statusCode, reply.body).toBe(201);
    const { id } = reply.json<{ id: number }>();
    await runFinished(h.runtime.bus, id, 30_000);
    return id;
  }

  async function page(caller: Caller, run: number, query = ''): Promise<RunSessionsPage> {
    const reply = await caller.get(`/api/runs/${run}/sessions${query}`);
    expect(reply.statusCode, reply.body).toBe(200);
    return reply.json<RunSessionsPage>();
  }

  const names = (p: RunSessionsPage) => p.items.map((s) => s.objectLabel.split(' ')[0]);

  it('reads a page, oldest first, with the run and the counts of every outcome', async () => {
    const first = await page(runner, runId, '?limit=3');
    expect(first.run).toMatchObject({ id: runId, session: 'Mixed', state: 'finished' });
    expect(first.run.summary).toMatchObject({ all: 8, success: 5, error: 2, stopped: 1 });
    expect(first.counts).toEqual({
      all: 8,
      error: 2,
      warning: 0,
      stopped: 1,
      pending: 0,
      success: 5,
    });
    // bad-1, bad-2 and off-1 are what "Re-run failed only" would run again
    expect(first.failed).toBe(3);
    expect(first).toMatchObject({ total: 8, limit: 3, offset: 0 });
    expect(names(first)).toEqual(['good-1', 'good-2', 'good-3']);
    expect(first.items[0]?.hostName).toBe('local');
    const ids = first.items.map((s) => s.id);
    expect([...ids].sort((a, b) => a - b)).toEqual(ids);
    const third = await page(runner, runId, '?limit=3&offset=6');
    expect(names(third)).toEqual(['bad-2', 'off-1']);
  });

  it('shows one outcome at a time', async () => {
    const errors = await page(runner, runId, '?show=error');
    expect(names(errors)).toEqual(['bad-1', 'bad-2']);
    expect(errors.items.every((s) => s.result === 'error' && s.processState === 'completed')).toBe(
      true,
    );
    expect(errors.total).toBe(2);
    const stopped = await page(runner, runId, '?show=stopped');
    expect(stopped.items.map((s) => [s.objectLabel.split(' ')[0], s.processState])).toEqual([
      ['off-1', 'canceled'],
    ]);
    expect((await page(runner, runId, '?show=success')).total).toBe(5);
    const none = await page(runner, runId, '?show=warning');
    expect(none).toMatchObject({ items: [], total: 0, offset: 0 });
    expect(none.counts.all).toBe(8);
  });

  it('gives the last page for an offset past the end', async () => {
    const past = await page(runner, runId, '?show=success&limit=2&offset=100');
    expect(past.offset).toBe(4);
    expect(names(past)).toEqual(['good-5']);
  });

  it('shows the sessions that wait or run as pending while the run goes', async () => {
    const reply = await runner.post('/api/runs', {
      session: 'Waits',
      model: 'Service',
      ids: [ids['good-1'], ids['good-2']],
    });
    expect(reply.statusCode, reply.body).toBe(201);
    const { id } = reply.json<{ id: number }>();
    try {
      // One host, one session at a time: one runs (or is about to), the other waits.
      const going = await page(runner, id, '?show=pending');
      expect(going.counts.pending).toBe(2);
      expect(going.items.map((s) => s.processState).sort()).toEqual(
        expect.arrayContaining(['initialized']),
      );
      expect(going.run.state).toBe('running');
    } finally {
      // Stop (the waiting one is canceled), then kill the running one.
      expect((await runner.post(`/api/runs/${id}/stop`)).statusCode).toBe(202);
      expect((await runner.post(`/api/runs/${id}/stop`)).statusCode).toBe(202);
      await runFinished(h.runtime.bus, id, 30_000);
    }
    const ended = await page(runner, id, '?show=pending');
    expect(ended).toMatchObject({ items: [], total: 0 });
    expect(ended.counts).toMatchObject({ pending: 0, stopped: 2 });
  });

  it("hides host names from a user who may not view hosts, and other users' runs", async () => {
    const own = await runToEnd(blind, 'Mixed', [ids['good-1'] ?? 0, ids['bad-1'] ?? 0]);
    const seen = await page(blind, own);
    expect(seen.items.map((s) => s.hostName)).toEqual([null, null]);
    expect(seen.counts).toMatchObject({ all: 2, success: 1, error: 1 });
    expect((await other.get(`/api/runs/${runId}/sessions`)).statusCode).toBe(404);
    expect((await runner.get('/api/runs/999999/sessions')).statusCode).toBe(404);
  });

  it('says what is wrong with a filter it does not know', async () => {
    const reply = await runner.get(`/api/runs/${runId}/sessions?show=broken`);
    expect(reply.statusCode).toBe(400);
    expect(reply.body).toContain('show');
  });
});
