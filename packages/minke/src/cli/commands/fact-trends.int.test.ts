import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FactChangesPage, FactDistribution, FactSeries } from '@minke/contract';
import type { Result } from '@minke/protocol';
import { afterAll, describe, expect, it } from 'vitest';
import { factResult } from '../../../test-support/facts-fixtures.js';
import { projectDatabases } from '../../../test-support/project-databases.js';
import { runBuiltCli } from '../../../test-support/run-cli.js';
import { resolveConfig } from '../../config/resolve-config.js';
import { AgentStore } from '../../facts/agent-store.js';
import { FactStore } from '../../facts/fact-store.js';
import { openProject } from '../../runtime/open-project.js';

// Through the user's door: a project folder read by the built `minke` (rebuild first: npx tsc -b
// packages/contract packages/protocol packages/agent packages/minke), its facts stored by the
// fact store's write path, as the gateway stores what agents report.
const tmp = mkdtempSync(join(tmpdir(), 'minke-fact-trends-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const DAY = 24 * 60 * 60 * 1000;
const now = Date.now();
const ago = (days: number) => new Date(now - days * DAY).toISOString();

async function seed(dir: string, url: string): Promise<void> {
  const project = await openProject(
    resolveConfig({ database: url }, { projectDir: dir, configFile: 'test' }, {}),
    { migrate: true },
  );
  try {
    for (const name of ['web-1', 'web-2']) await project.hosts.add({ name });
    const facts = new FactStore(project.database, new AgentStore(project));
    const versions: [string, string, Result['value'], number][] = [
      ['web-1', 'disk', { root: { used_percent: 41 }, kernel: '6.1.0-17' }, 20],
      ['web-2', 'disk', { root: { used_percent: 12 }, kernel: '6.1.0-17' }, 15],
      ['web-1', 'disk', { root: { used_percent: 'unknown' }, kernel: '6.1.0-17' }, 10],
      ['web-1', 'disk', { root: { used_percent: 63 }, kernel: '6.1.0-18' }, 2],
    ];
    for (const [node, plugin, value, days] of versions)
      await facts.storeResults([factResult({ node, plugin, value, finishedAt: ago(days) })]);
  } finally {
    await project.close();
  }
}

describe.each(projectDatabases('minke_fact_trends'))(
  'minke facts over time on $name',
  { timeout: 180_000 },
  (backend) => {
    afterAll(() => backend.cleanup());

    it('prints series, changes and distribution as tables and JSON', async () => {
      const dir = join(tmp, backend.name);
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'package.json'), '{ "type": "module", "private": true }\n');
      writeFileSync(
        join(dir, 'minke.config.ts'),
        "export default { database: 'sqlite:data.db' };\n",
      );
      const url = (await backend.url()) ?? `sqlite:${join(dir, 'data.db')}`;
      await seed(dir, url);
      const minke = async (args: string[]) => {
        const result = await runBuiltCli(['--project', dir, ...args], {
          env: { MINKE_DATABASE_URL: url },
          timeoutMs: 60_000,
        });
        expect(result.code, result.stderr).toBe(0);
        return result.stdout;
      };

      const table = await minke([
        'facts',
        'series',
        'disk',
        'root.used_percent',
        '--host',
        'web-1',
      ]);
      expect(table).toMatch(/^HOST\s+AT\s+VALUE\n/);
      expect(table).toContain(`web-1  ${ago(20)}  41\n`);
      expect(table).toContain(`web-1  ${ago(2)}  63\n`);
      expect(table).toContain('1 version(s) left out: missing or not a number at the path');
      const series = JSON.parse(
        await minke(['facts', 'series', 'disk', 'root.used_percent', '--since', '30d', '--json']),
      ) as FactSeries;
      expect(series.hosts.map((h) => [h.host, h.points.map((p) => p.value)])).toEqual([
        ['web-1', [41, 63]],
        ['web-2', [12]],
      ]);
      expect(series.skipped).toBe(1);
      const cut = await minke([
        'facts',
        'series',
        'disk',
        'root.used_percent',
        '--max-points',
        '1',
      ]);
      expect(cut).toContain('more than 1 points: showing the newest');

      const changes = await minke(['facts', 'changes', 'disk', 'kernel', '--days', '7']);
      expect(changes).toMatch(/^HOST\s+AT\s+BEFORE\s+AFTER\n/);
      expect(changes).toContain(`web-1  ${ago(2)}  6.1.0-17  6.1.0-18\n`);
      expect(changes).toContain('1 change(s) of disk kernel since');
      const changesJson = JSON.parse(
        await minke(['facts', 'changes', 'disk', 'kernel', '--days', '30', '--json']),
      ) as FactChangesPage;
      expect(changesJson.items.map((c) => [c.host, c.before, c.after])).toEqual([
        ['web-1', '6.1.0-17', '6.1.0-18'],
      ]);

      const distribution = await minke(['facts', 'distribution', 'disk', 'kernel']);
      expect(distribution).toMatch(
        /^VALUE\s+HOSTS\s+SHARE\n6\.1\.0-17\s+1\s+50%\n6\.1\.0-18\s+1\s+50%\n/,
      );
      const top = JSON.parse(
        await minke(['facts', 'distribution', 'disk', 'root.used_percent', '--top', '1', '--json']),
      ) as FactDistribution;
      expect(top.values).toEqual([{ value: '12', hosts: 1 }]);
      expect(top.other).toEqual({ values: 1, hosts: 1 });

      const bad = await runBuiltCli(['--project', dir, 'facts', 'series', 'disk', 'a b'], {
        env: { MINKE_DATABASE_URL: url },
        timeoutMs: 60_000,
      });
      expect(bad.code).not.toBe(0);
      expect(bad.stderr).toContain('"a b" is not a usable key');
    });
  },
);
