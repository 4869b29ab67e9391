import { EventEmitter } from 'node:events';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiHarness, type ApiHarness, type Caller } from '../../test-support/api-harness.js';
import { sqliteBackend } from '../../test-support/databases.js';
import { eventSeen, runFinished } from '../../test-support/run-waiter.js';
import { stopRunOnInterrupt } from './run-interrupt.js';

// `minke run`'s Ctrl-C, on a real project and executor: presses made while the run was still
// being started are kept and acted on once it has its id (they used to end the command by the
// signal's default, leaving the run going).
describe('Ctrl-C of a local run', () => {
  let h: ApiHarness;
  let runner: Caller;

  beforeAll(async () => {
    h = await startApiHarness(sqliteBackend());
    await h.user('runner', { permissions: ['view_host', 'run_sleepy'] });
    runner = await h.withToken('runner');
    await h.project.hosts.add({ name: 'local', config: { transport: 'local' } });
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

    const started = await runner.post('/api/runs', {
      session: 'Sleepy',
      model: 'Host',
      ids: ['local'],
    });
    const { id: runId } = started.json<{ id: number }>();
    await eventSeen(h.runtime.bus, runId, (event) => event.type === 'command.started');
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
