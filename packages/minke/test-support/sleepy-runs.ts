import { startApiHarness, type ApiHarness, type Caller } from './api-harness.js';
import { sqliteBackend } from './databases.js';
import { eventSeen } from './run-waiter.js';

/** A harness for stopping runs: SQLite, a local host, and `runner`, who may run Sleepy on it. */
export interface SleepyRuns {
  h: ApiHarness;
  runner: Caller;
  /** Starts Sleepy (30 s) on the local host through the API; resolves once its command runs. */
  startSleepy: () => Promise<{ runId: number; recordId: number }>;
}

export async function startSleepyRuns(): Promise<SleepyRuns> {
  const h = await startApiHarness(sqliteBackend());
  await h.user('runner', { permissions: ['view_host', 'run_sleepy'] });
  const runner = await h.withToken('runner');
  await h.project.hosts.add({ name: 'local', config: { transport: 'local' } });
  return {
    h,
    runner,
    startSleepy: async () => {
      const started = await runner.post('/api/runs', {
        session: 'Sleepy',
        model: 'Host',
        ids: ['local'],
      });
      const { id: runId, records } = started.json<{
        id: number;
        records: { recordId: number }[];
      }>();
      await eventSeen(h.runtime.bus, runId, (e) => e.type === 'command.started');
      return { runId, recordId: records[0]?.recordId ?? 0 };
    },
  };
}
