import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { backendFactories, type TestBackend } from '../../test-support/databases.js';
import { queryPlan } from '../../test-support/query-plan.js';
import type { OpenedProject } from '../runtime/open-project.js';
import { AgentStore } from './agent-store.js';
import { factChanges } from './fact-changes.js';
import { factDistribution } from './fact-distribution.js';
import { factSeries, seriesQuery } from './fact-series.js';

const tmp = mkdtempSync(join(tmpdir(), 'minke-series-cost-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const ROWS = 10_000;
const MINUTE = 60_000;

/**
 * What a series costs: one host's path over 10,000 history rows (and as many of other hosts')
 * is one statement, and the database answers it from the history's index on
 * (agent_id, plugin, collected_at), not by scanning the table.
 */
describe.each(backendFactories(() => tmp))(
  'a fact series over 10,000 rows on $name',
  ({ make }) => {
    let backend: TestBackend;
    let project: OpenedProject;
    let agentId: number;

    beforeEach(async () => {
      backend = make();
      project = await backend.open([]);
      for (const name of ['web-1', 'web-2']) await project.hosts.add({ name });
      const agents = new AgentStore(project);
      agentId = await agents.ensure('web-1');
      const other = await agents.ensure('web-2');
      // The history as the fact store leaves it, written in bulk (10,000 results one by one
      // would test the store, not the query).
      const start = Date.now() - ROWS * MINUTE;
      for (let i = 0; i < ROWS; i += 500) {
        const rows = Array.from({ length: 500 }, (_, j) => i + j).flatMap((n) =>
          [agentId, other].map((agent) => ({
            agent_id: agent,
            plugin: 'disk',
            format: 'json',
            value: { root: { used_percent: n % 100 } },
            collected_at: new Date(start + n * MINUTE).toISOString(),
            request_id: null,
            result_id: randomUUID(),
          })),
        );
        await project.database.tables.insertInto('minke_fact_history').values(rows).execute();
      }
      if (project.database.adapter.kind === 'postgres')
        await sql`ANALYZE minke_fact_history`.execute(project.database.tables);
      else await sql`ANALYZE`.execute(project.database.tables);
    });
    afterEach(async () => {
      await project.close();
      await backend.cleanup();
    });

    it('reads one host from the index, in one statement', async () => {
      const window = {
        plugin: 'disk',
        keys: ['root', 'used_percent'],
        since: new Date(Date.now() - 30 * 24 * 60 * MINUTE),
        until: new Date(),
        maxPoints: ROWS,
      };
      const compiled = seriesQuery(project, window, [agentId]).compile();
      const text = await queryPlan(project.database, compiled);
      expect(text).toContain('minke_fact_history_agent_plugin');
      expect(text).not.toMatch(/Seq Scan on minke_fact_history|SCAN fact_(?! USING)/);

      const started = performance.now();
      const reply = await factSeries(project, {
        plugin: 'disk',
        path: 'root.used_percent',
        host: 'web-1',
        maxPoints: ROWS,
      });
      const took = performance.now() - started;
      expect(reply.hosts[0]?.points.length).toBeGreaterThan(9_000);
      expect(reply.cut).toBe(false);
      // A figure for docs/facts.md, not an assertion: machines differ.
      process.stdout.write(
        `series of ${ROWS} rows on ${project.database.adapter.kind}: ${took.toFixed(0)} ms\n${text}\n`,
      );
    });

    it('answers changes and the distribution over the same history', async () => {
      const started = performance.now();
      const changes = await factChanges(project, {
        plugin: 'disk',
        path: 'root.used_percent',
        days: 8,
      });
      const changesMs = performance.now() - started;
      // every version after each host's first changed the value (n % 100)
      expect(changes.total).toBe(2 * (ROWS - 1));
      const next = performance.now();
      const spread = await factDistribution(project, { plugin: 'disk', path: 'root.used_percent' });
      const spreadMs = performance.now() - next;
      expect(spread.total).toBe(0); // the rows above are history only: no current facts
      process.stdout.write(
        `changes over ${2 * ROWS} versions on ${project.database.adapter.kind}: ${changesMs.toFixed(0)} ms; distribution: ${spreadMs.toFixed(0)} ms\n`,
      );
    });
  },
);
