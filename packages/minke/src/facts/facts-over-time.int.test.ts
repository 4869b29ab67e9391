import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FactChangesPage, FactDistribution, FactSeries } from '@minke/contract';
import type { Result } from '@minke/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiHarness, type ApiHarness, type Caller } from '../../test-support/api-harness.js';
import { backendFactories } from '../../test-support/databases.js';
import { factResult, useTempSigningKey } from '../../test-support/facts-fixtures.js';
import { AgentStore } from './agent-store.js';
import { FactStore } from './fact-store.js';

const tmp = mkdtempSync(join(tmpdir(), 'minke-facts-over-time-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const DAY = 24 * 60 * 60 * 1000;
const now = Date.now();
/** `days` days ago (fractions allowed), as an agent's finishedAt. */
const ago = (days: number) => new Date(now - days * DAY).toISOString();

/**
 * Facts over time through the API, on both databases: a numeric path's series from several
 * history rows (a non-numeric version skipped and counted), the hosts that changed a value in
 * the last days, the distribution of current values, and the view permission they need.
 */
describe.each(backendFactories(() => tmp))('facts over time on $name', ({ make }) => {
  let h: ApiHarness;
  let viewer: Caller;
  let nobody: Caller;

  beforeAll(async () => {
    h = await startApiHarness(make());
    useTempSigningKey(h.project, tmp);
    await h.user('viewer', { permissions: ['view_host'] });
    await h.user('nobody', { permissions: ['view_service'] });
    viewer = await h.withToken('viewer');
    nobody = await h.withToken('nobody');
    for (const name of ['web-1', 'web-2', 'db-1', 'mail-1']) await h.project.hosts.add({ name });
    const facts = new FactStore(h.project.database, new AgentStore(h.project));
    // Stored oldest first, as agents report (an older result never replaces a newer one).
    const versions: [string, string, Result['value'], number][] = [
      ['web-1', 'disk', { root: { used_percent: 30 } }, 40],
      ['web-1', 'os', { kernel: '6.1.0-17' }, 30],
      ['db-1', 'os', { kernel: '6.1.0-17', release: '12' }, 20],
      ['web-1', 'disk', { root: { used_percent: 41 } }, 20],
      ['web-1', 'disk', { root: { used_percent: 'n/a' } }, 10],
      ['web-2', 'disk', { root: { used_percent: '12.5' } }, 6],
      ['web-1', 'disk', { root: { used_percent: 52 } }, 5],
      ['web-1', 'os', { kernel: '6.1.0-18' }, 3],
      ['web-2', 'os', { kernel: '6.1.0-18' }, 2],
      ['mail-1', 'os', { release: '12' }, 2],
      // another key changed, the path did not: no new point, no change
      ['web-1', 'disk', { root: { used_percent: 52, inodes: 7 } }, 1],
      ['db-1', 'os', { kernel: '6.1.0-17', release: '12.1' }, 1],
    ];
    for (const [node, plugin, value, days] of versions)
      await facts.storeResults([factResult({ node, plugin, value, finishedAt: ago(days) })]);
  });
  afterAll(async () => {
    await h.close();
  });

  const series = async (query: string) => {
    const reply = await viewer.get(`/api/facts/series?${query}`);
    expect(reply.statusCode, reply.body).toBe(200);
    return reply.json<FactSeries>();
  };

  it("draws a host's numeric values from its history, skipping one that is not a number", async () => {
    const reply = await series('plugin=disk&path=root.used_percent&host=web-1');
    expect(reply.hosts).toHaveLength(1);
    const [web1] = reply.hosts;
    // 30 was held when the 30-day window opened: it starts the line at `since`.
    expect(web1?.points).toEqual([
      { at: reply.since, value: 30 },
      { at: ago(20), value: 41 },
      { at: ago(5), value: 52 },
    ]);
    expect(reply.skipped).toBe(1);
    expect(reply.cut).toBe(false);
    expect(reply.message).toBeNull();
    expect(Date.parse(reply.until) - Date.parse(reply.since)).toBe(30 * DAY);

    // A window of its own: since and until are honoured, the value held at since comes first.
    const narrow = await series(
      `plugin=disk&path=root.used_percent&host=web-1&since=${ago(15)}&until=${ago(4)}`,
    );
    expect(narrow.hosts[0]?.points).toEqual([
      { at: ago(15), value: 41 },
      { at: ago(5), value: 52 },
    ]);
  });

  it('gives every host with the fact, paged by host, and cuts at maxPoints with a message', async () => {
    const all = await series('plugin=disk&path=root.used_percent');
    expect(all.total).toBe(2);
    expect(all.hosts.map((s) => [s.host, s.points.map((p) => p.value)])).toEqual([
      ['web-1', [30, 41, 52]],
      ['web-2', [12.5]], // a string that reads as a number counts
    ]);
    const second = await series('plugin=disk&path=root.used_percent&limit=1&offset=1');
    expect(second.hosts.map((s) => s.host)).toEqual(['web-2']);
    expect(second.total).toBe(2);

    const cut = await series('plugin=disk&path=root.used_percent&host=web-1&maxPoints=2');
    expect(cut.cut).toBe(true);
    expect(cut.hosts[0]?.points).toEqual([{ at: ago(5), value: 52 }]);
    expect(cut.message).toBe(
      `more than 2 points: showing the newest, from ${ago(5)}; narrow since and until, or ask for one host`,
    );
  });

  it('refuses a bad path, a window the wrong way round, and an unknown host', async () => {
    const bad = await viewer.get('/api/facts/series?plugin=disk&path=root.used%20percent');
    expect(bad.statusCode).toBe(400);
    expect(bad.json<{ error: { message: string } }>().error.message).toContain(
      '"used percent" is not a usable key',
    );
    const backwards = await viewer.get(
      `/api/facts/series?plugin=disk&since=${ago(1)}&until=${ago(2)}`,
    );
    expect(backwards.statusCode).toBe(400);
    expect((await viewer.get('/api/facts/series?plugin=disk&host=nowhere')).statusCode).toBe(404);
  });

  it('lists the hosts whose value changed in the last N days, not first reports', async () => {
    const changes = async (query: string) => {
      const reply = await viewer.get(`/api/facts/changes?${query}`);
      expect(reply.statusCode, reply.body).toBe(200);
      return reply.json<FactChangesPage>();
    };
    const week = await changes('plugin=os&path=kernel&days=7');
    // web-2's first report and db-1's release change are not changes of the kernel.
    expect(week.items).toEqual([
      { host: 'web-1', node: 'web-1', at: ago(3), before: '6.1.0-17', after: '6.1.0-18' },
    ]);
    expect(week.total).toBe(1);
    expect(week.cut).toBe(false);
    const month = await changes('plugin=os&path=kernel&days=25');
    expect(month.items.map((c) => [c.host, c.before, c.after])).toEqual([
      ['web-1', '6.1.0-17', '6.1.0-18'],
    ]);
    // The whole value: every version after a host's first.
    const whole = await changes('plugin=os&days=7');
    expect(whole.items.map((c) => c.host)).toEqual(['db-1', 'web-1']);
    const paged = await changes('plugin=os&days=7&limit=1&offset=1');
    expect(paged.items.map((c) => c.host)).toEqual(['web-1']);
    expect(paged.total).toBe(2);
    // Missing before: the path appeared.
    const disk = await changes('plugin=disk&path=root.inodes&days=7');
    expect(disk.items).toEqual([
      { host: 'web-1', node: 'web-1', at: ago(1), before: null, after: '7' },
    ]);
  });

  it('counts the current values across hosts, the commonest first, the rest as other', async () => {
    const distribution = async (query: string) => {
      const reply = await viewer.get(`/api/facts/distribution?${query}`);
      expect(reply.statusCode, reply.body).toBe(200);
      return reply.json<FactDistribution>();
    };
    expect(await distribution('plugin=os&path=kernel')).toEqual({
      plugin: 'os',
      path: 'kernel',
      values: [
        { value: '6.1.0-18', hosts: 2 },
        { value: '6.1.0-17', hosts: 1 },
      ],
      other: { values: 0, hosts: 0 },
      missing: 1, // mail-1 reports os without a kernel
      total: 4,
    });
    const top = await distribution('plugin=os&path=kernel&top=1');
    expect(top.values).toEqual([{ value: '6.1.0-18', hosts: 2 }]);
    expect(top.other).toEqual({ values: 1, hosts: 1 });
    // Values read as the fact search compares them: each one's search finds its hosts.
    const numbers = await distribution('plugin=disk&path=root.used_percent');
    expect(numbers.values).toEqual([
      { value: '12.5', hosts: 1 },
      { value: '52', hosts: 1 },
    ]);
    for (const { value, hosts } of numbers.values) {
      const where = encodeURIComponent(`facts.disk.root.used_percent = "${value}"`);
      const found = await viewer.get(`/api/facts?where=${where}`);
      expect(found.json<{ total: number }>().total).toBe(hosts);
    }
  });

  it('shows none of it to a user who may not view hosts', async () => {
    for (const url of [
      '/api/facts/series?plugin=disk&path=root.used_percent&host=web-1',
      '/api/facts/series?plugin=disk&path=root.used_percent',
      '/api/facts/changes?plugin=os&path=kernel',
      '/api/facts/distribution?plugin=os&path=kernel',
    ]) {
      const reply = await nobody.get(url);
      expect(reply.statusCode, url).toBe(403);
      expect(reply.body).not.toContain('web-1');
      expect(reply.body).not.toContain('6.1.0');
      expect((await h.anonymous.get(url)).statusCode, url).toBe(401);
    }
  });
});
