import { EventEmitter } from 'node:events';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiHarness } from '../../test-support/api-harness.js';
import { runFinished } from '../../test-support/run-waiter.js';
import { startSleepyRuns, type SleepyRuns } from '../../test-support/sleepy-runs.js';
import { stopRunOnInterrupt } from './run-interrupt.js';

// `minke run`'s Ctrl-C, on a real project and executor: presses made while the run was still
// being started are kept and acted on once it has its id (they used to end the command by the
// signal's default, leaving the run going).
describe('Ctrl-C of a local run', () => {
  let h: ApiHarness;
  let startSleepy: SleepyRuns['startSleepy'];

  beforeAll(async () => {
    ({ h, startSleepy } = await startSleepyRuns());
  });
  afterAll(() => h.close());

  function auditActions(runId: number) {
    return h.project.database.tables
      .selectFrom('minke_audit_log')
      .select('action')
      .where('target_type', '=', 'run')
      .where('target_id', '=', String(runId))
      .orderBy('id')
      .execute();
  }

  it('two presses before the run has its id stop it, then kill it, once it has', async () => {
    const signals = new EventEmitter();
    const stderr = new PassThrough();
    let said = '';
    stderr.on('data', (chunk: Buffer) => (said += chunk.toString()));
    const interrupt = stopRunOnInterrupt(h.runtime, stderr, signals);
    signals.emit('SIGINT');
    signals.emit('SIGINT');
    expect(said).toBe('\nstopping (Ctrl-C again kills)\n\nkilling\n');

    const { runId } = await startSleepy();
    interrupt.watch(runId);
    await interrupt.settled();
    const events = await runFinished(h.runtime.bus, runId);
    interrupt.dispose();

    expect((await auditActions(runId)).map((row) => row.action)).toEqual([
      'run.start',
      'run.stop',
      'run.kill',
    ]);
    const finished = events.find((event) => event.type === 'session.finished');
    expect(finished).toMatchObject({ processState: 'stopped' });
    // Listening ends with the command: a later press is not this run's.
    expect(signals.listenerCount('SIGINT')).toBe(0);
  });
});
