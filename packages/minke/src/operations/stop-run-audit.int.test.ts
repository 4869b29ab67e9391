import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiHarness, Caller } from '../../test-support/api-harness.js';
import { runFinished } from '../../test-support/run-waiter.js';
import { startSleepyRuns, type SleepyRuns } from '../../test-support/sleepy-runs.js';

/** Issue 10: a run start is one commit with its audit row; the log tells a soft stop from the kill. */
describe('a kill after a soft stop is audited as run.kill', () => {
  let h: ApiHarness;
  let runner: Caller;
  let startSleepy: SleepyRuns['startSleepy'];

  beforeAll(async () => {
    ({ h, runner, startSleepy } = await startSleepyRuns());
  });
  afterAll(() => h.close());

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
