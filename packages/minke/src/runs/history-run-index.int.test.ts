import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  sql,
  type CompiledQuery,
  type KyselyPlugin,
  type PluginTransformQueryArgs,
  type RootOperationNode,
} from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { backendFactories } from '../../test-support/databases.js';
import { queryPlan } from '../../test-support/query-plan.js';
import type { OpenedProject } from '../runtime/open-project.js';
import type { Database } from '../store/database.js';
import { SessionHistory } from './history.js';
import { RunStore } from './run-store.js';

const tmp = mkdtempSync(join(tmpdir(), 'minke-run-index-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Keeps the statements a query builder runs, compiled, so that the test can ask for their plan. */
class StatementLog implements KyselyPlugin {
  readonly statements: CompiledQuery[] = [];
  constructor(private readonly database: Database) {}
  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    this.statements.push(this.database.db.getExecutor().compileQuery(args.node, args.queryId));
    return args.node;
  }
  transformResult<T>(args: { result: T }): Promise<T> {
    return Promise.resolve(args.result);
  }
}

/** A run of `count` records on the host, by the user, created at `at`. */
async function seedRun(project: OpenedProject, userId: number, count: number, at: string) {
  const host = await project.hosts.get('node-1');
  const { runId } = await new RunStore(project.database).createRun({
    session: 'Tick',
    verboseName: 'Tick',
    model: 'Host',
    userId,
    data: {},
    records: Array.from({ length: count }, () => ({
      objectId: host.id,
      objectLabel: host.name,
      hostId: host.id,
      hostName: host.name,
    })),
  });
  await project.database.db
    .updateTable('minke_session_records')
    .set({ created_at: at })
    .where('run_id', '=', runId)
    .execute();
  return runId;
}

describe.each(backendFactories(() => tmp))('a run in the history on $name', ({ make }) => {
  it("reads a user's page of one run through the run's index, and its counts from an index alone", async () => {
    const backend = make();
    const project = await backend.open([]);
    try {
      await project.hosts.add({ name: 'node-1', hostname: '127.0.0.1' });
      const user = await project.users.create({ username: 'ada', password: 'correct horse' });
      const dates = project.database.adapter;
      const older = await seedRun(project, user.id, 5, dates.encodeDate(new Date(2030, 0, 1)));
      await seedRun(project, user.id, 400, dates.encodeDate(new Date(2030, 0, 2)));
      if (project.database.adapter.kind === 'postgres') {
        await sql`ANALYZE minke_session_records`.execute(project.database.db);
      }

      const log = new StatementLog(project.database);
      const logged: Database = {
        ...project.database,
        tables: project.database.tables.withPlugin(log),
      };
      const page = await new SessionHistory(logged).list({
        user: user.id,
        runId: older,
        limit: 50,
      });
      expect(page.total).toBe(5);
      expect(page.items.map((item) => item.runId)).toEqual([older, older, older, older, older]);

      const pageQuery = log.statements.find((statement) => /\blimit\b/i.test(statement.sql));
      expect(pageQuery?.sql).toMatch(/"run_id" = /);
      const plan = await queryPlan(project.database, pageQuery as CompiledQuery);
      if (project.database.adapter.kind === 'sqlite') {
        expect(plan).toContain('USING INDEX minke_session_records_run_created (run_id=?)');
        expect(plan).not.toContain('TEMP B-TREE');
      } else {
        // PostgreSQL, with its statistics, reads the run's few rows through a run index and sorts them.
        expect(plan).toMatch(/Index Cond: \(run_id = /);
        expect(plan).not.toContain('user_created');
      }

      // The run's counts by state and result come from an index alone.
      const countLog = new StatementLog(project.database);
      const counted: Database = {
        ...project.database,
        tables: project.database.tables.withPlugin(countLog),
      };
      expect((await new SessionHistory(counted).summary({ runId: older })).all).toBe(5);
      const stateCounts = countLog.statements.find((statement) => /group by/i.test(statement.sql));
      const countPlan = await queryPlan(project.database, stateCounts as CompiledQuery);
      if (project.database.adapter.kind === 'sqlite') {
        expect(countPlan).toContain('USING COVERING INDEX minke_session_records_run_state_result');
      } else {
        expect(countPlan).toMatch(
          /Index Only Scan using minke_session_records_run_state_result|Index Cond: \(run_id = /,
        );
      }
    } finally {
      await project.close();
      await backend.cleanup();
    }
  });
});
