import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiHarness, type ApiHarness, type Caller } from '../../test-support/api-harness.js';
import { sqliteBackend } from '../../test-support/databases.js';
import { eventSeen, runFinished } from '../../test-support/run-waiter.js';

/** Issue 10: a run start is one commit with its audit row; the log tells a soft stop from the kill. */
describe('a kill after a soft stop is audited as run.kill', () => {
  let h: ApiHarness;
  let runner: Caller;

  beforeAll(async () => {
    h = await startApiHarness(sqliteBackend());
    await h.user('runner', { permissions: ['view_host', 'run_sleepy'] });
    runner = await h.withToken('runner');
    await h.project.hosts.add({ name: 'local', config: { transport: 'local' } });
  });
  afterAll(() => h.close());

  async function startSleepy(): Promise<{ runId: number; recordId: number }> {
    const started = await runner.post('/api/runs', {
      session: 'Sleepy',
      model: 'Host',
      ids: ['local'],
    });
    const { id: runId, records } = started.json<{ id: number; records: { recordId: number }[] }>();
    await eventSeen(h.runtime.bus, runId, (e) => e.type === 'command.started');
    return { runId, recordId: records[0]?.recordId ?? 0 };
  }

  function auditRows(targetType: string, targetId: number) {
    return h.project.database.tables
      .selectFrom('minke_audit_log')
      .select(['action', 'after_json'])
      .where('target_type', '=', targetType)
      .where('target_id', '=', String(targetId))
      .orderBy('id')
      .execute();
  }

  it('a run: the first stop is run.stop, the second (which kills) run.kill', async () => {
    const { runId } = await startSleepy();
    expect((await runner.post(`/api/runs/${runId}/stop`)).json()).toMatchObject({
      outcomes: [{ outcome: 'stopping' }],
    });
    expect((await runner.post(`/api/runs/${runId}/stop`)).json()).toMatchObject({
      outcomes: [{ outcome: 'killing' }],
    });
    await runFinished(h.runtime.bus, runId);

    const rows = await auditRows('run', runId);
    expect(rows.map((row) => row.action)).toEqual(['run.start', 'run.stop', 'run.kill']);
    expect(rows[2]?.after_json).toContain('killing');
  });

  it('a session record: the same, stop then kill', async () => {
    const { runId, recordId } = await startSleepy();
    const stop = () => runner.post(`/api/session-records/${recordId}/stop`);
    expect((await stop()).json()).toMatchObject({ outcome: 'stopping' });
    expect((await stop()).json()).toMatchObject({ outcome: 'killing' });
    await runFinished(h.runtime.bus, runId);

    const rows = await auditRows('session_record', recordId);
    expect(rows.map((row) => row.action)).toEqual(['run.stop', 'run.kill']);
  });

  // Last: it removes the chain's head, so no audited change can be written afterwards.
  it('a run whose run.start row cannot be written is not created at all', async () => {
    const runsBefore = await h.project.database.tables
      .selectFrom('minke_runs')
      .select('id')
      .execute();
    await sql`delete from minke_audit_head`.execute(h.project.database.db);
    const refused = await runner.post('/api/runs', {
      session: 'Sleepy',
      model: 'Host',
      ids: ['local'],
    });
    expect(refused.statusCode).toBe(500);
    const runsAfter = await h.project.database.tables
      .selectFrom('minke_runs')
      .select('id')
      .execute();
    expect(runsAfter).toEqual(runsBefore);
    const records = await h.project.database.tables
      .selectFrom('minke_session_records')
      .select('id')
      .where('process_state', '=', 'initialized')
      .execute();
    expect(records).toEqual([]);
  });
});
