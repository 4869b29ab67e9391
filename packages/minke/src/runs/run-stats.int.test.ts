import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { backendFactories, type TestBackend } from '../../test-support/databases.js';
import { AgentStore } from '../facts/agent-store.js';
import { listRecords } from '../operations/list-records.js';
import type { OpenedProject } from '../runtime/open-project.js';
import { naturalCompare } from '../util/natural-sort.js';
import type { ProcessState, SessionResult } from '../session/status.js';
import { RunStats } from './run-stats.js';

const dir = mkdtempSync(join(tmpdir(), 'minke-run-stats-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const NOW = new Date('2026-03-10T12:00:00Z');
const HOUR = 3_600_000;

describe.each(backendFactories(() => dir))('dashboard figures on $name', ({ make }) => {
  let backend: TestBackend;
  let project: OpenedProject;
  let runId: number;

  beforeEach(async () => {
    backend = make();
    project = await backend.open([]);
    const run = await project.database.tables
      .insertInto('minke_runs')
      .values({ session: 'Check', model: 'Host', user_id: null, owner: null, created_at: NOW })
      .returning('id')
      .executeTakeFirstOrThrow();
    runId = run.id;
  });
  afterEach(async () => {
    await project.close();
    await backend.cleanup();
  });

  /** A finished session record `hoursAgo` before NOW (a fixture row: the reader only reads). */
  async function record(
    host: string,
    hoursAgo: number,
    state: ProcessState,
    result: SessionResult | null,
    options: { session?: string; durationMs?: number; userId?: number } = {},
  ) {
    const at = new Date(NOW.getTime() - hoursAgo * HOUR);
    await project.database.tables
      .insertInto('minke_session_records')
      .values({
        run_id: runId,
        session: options.session ?? 'Check',
        verbose_name: options.session === 'Slow' ? 'Slow backup' : 'Health check',
        model: 'Host',
        object_id: 1,
        object_label: host,
        host_name: host,
        user_id: options.userId ?? null,
        process_state: state,
        result,
        created_at: at,
        duration_ms: options.durationMs ?? null,
      })
      .execute();
  }

  it('counts sessions per UTC day by outcome; stopped and canceled are not errors', async () => {
    await record('web-1', 1, 'completed', 'success');
    await record('web-1', 2, 'completed', 'error');
    await record('web-2', 3, 'stopped', 'error');
    await record('web-2', 4, 'canceled', null);
    await record('web-3', 5, 'failed', 'error');
    await record('web-3', 6, 'running', null);
    await record('web-3', 13, 'completed', 'warning'); // yesterday, 23:00 UTC
    await record('web-3', 24 * 20, 'completed', 'error'); // outside the window

    const days = await new RunStats(project.database).sessionsPerDay({}, 3, NOW);

    expect(
      days.map(({ day, success, warning, error, stopped, unfinished }) => ({
        day,
        success,
        warning,
        error,
        stopped,
        unfinished,
      })),
    ).toEqual([
      { day: '2026-03-08', success: 0, warning: 0, error: 0, stopped: 0, unfinished: 0 },
      { day: '2026-03-09', success: 0, warning: 1, error: 0, stopped: 0, unfinished: 0 },
      { day: '2026-03-10', success: 1, warning: 0, error: 2, stopped: 2, unfinished: 1 },
    ]);
    expect(days[2]?.since).toBe('2026-03-10T00:00:00.000Z');
    expect(days[2]?.until).toBe('2026-03-11T00:00:00.000Z');
  });

  it('ranks the hosts that failed most this week, without stopped sessions', async () => {
    for (const hoursAgo of [1, 2, 3]) await record('db-1', hoursAgo, 'completed', 'error');
    await record('web-1', 1, 'failed', 'error');
    for (const hoursAgo of [1, 2, 3, 4]) await record('web-2', hoursAgo, 'stopped', 'error');
    await record('web-3', 24 * 9, 'completed', 'error'); // before the week

    const week = new Date(NOW.getTime() - 7 * 24 * HOUR);
    const hosts = await new RunStats(project.database).failingHosts({}, week);

    expect(hosts.map(({ hostName, failures }) => ({ hostName, failures }))).toEqual([
      { hostName: 'db-1', failures: 3 },
      { hostName: 'web-1', failures: 1 },
    ]);
    expect(hosts[0]?.lastFailureAt).toBe(new Date(NOW.getTime() - HOUR).toISOString());
  });

  it('lists the slowest sessions, scoped to one user when asked', async () => {
    await record('web-1', 1, 'completed', 'success', { session: 'Slow', durationMs: 9_000 });
    await record('web-2', 1, 'completed', 'success', { session: 'Slow', durationMs: 3_000 });
    await project.users.create({ username: 'alice', password: 'correct horse battery' });
    const alice = (await project.users.get('alice')).id;
    await record('web-1', 1, 'completed', 'success', { durationMs: 500, userId: alice });

    const stats = new RunStats(project.database);
    const week = new Date(NOW.getTime() - 7 * 24 * HOUR);
    const all = await stats.slowestSessions({}, week);
    expect(
      all.map(({ session, verboseName, runs, averageMs, slowestMs }) => ({
        session,
        verboseName,
        runs,
        averageMs,
        slowestMs,
      })),
    ).toEqual([
      { session: 'Slow', verboseName: 'Slow backup', runs: 2, averageMs: 6_000, slowestMs: 9_000 },
      { session: 'Check', verboseName: 'Health check', runs: 1, averageMs: 500, slowestMs: 500 },
    ]);
    expect(all[0]?.slowestRecordId).toBeGreaterThan(0);
    expect((await stats.slowestSessions({ userId: alice }, week)).map((s) => s.session)).toEqual([
      'Check',
    ]);
  });

  it('orders host names naturally, as the browser does (node-2 before node-10)', async () => {
    const names = ['node-10', 'node-2', 'node-1', 'db-007', 'db-7b', 'node-02', 'web10', 'web9.x'];
    for (const name of names) await project.hosts.add({ name });

    const page = await listRecords(project, 'Host', { limit: 100 });
    const listed = page.items.map((item) => item.name);
    expect(listed).toEqual([...names].sort(naturalCompare));
    expect(listed).toEqual([
      'db-007',
      'db-7b',
      'node-1',
      'node-02',
      'node-2',
      'node-10',
      'web9.x',
      'web10',
    ]);
    const descending = await listRecords(project, 'Host', { order: ['-name'], limit: 100 });
    expect(descending.items.map((item) => item.name)).toEqual([...listed].reverse());
  });

  it('lists agents by node name naturally', async () => {
    const agents = new AgentStore(project);
    for (const node of ['node-10', 'node-2', 'node-1']) await agents.ensure(node);
    expect((await agents.list()).map((agent) => agent.node)).toEqual([
      'node-1',
      'node-2',
      'node-10',
    ]);
  });
});
