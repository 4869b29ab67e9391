import { afterEach, describe, expect, it } from 'vitest';
import { postgresBackend, sqliteBackend, type TestBackend } from '../../test-support/databases.js';
import { MemoryEventBus } from '../events/memory-event-bus.js';
import { createLogger } from '../logger.js';
import type { OpenedProject } from '../runtime/open-project.js';
import type { BatchQueue } from '../executor/bullmq/queue-backend.js';
import { Requeuer } from '../executor/bullmq/requeuer.js';
import { RunStore } from '../runs/run-store.js';
import { RolloutCoordinator, type RollablePlan } from './rollout-coordinator.js';

/**
 * The crash story of a rolling run on the BullMQ executor, at the coordinator's level on a real
 * database: the server that started the run goes away after batch 1 was queued; another server,
 * which never saw the plan, moves the rollout on from the database alone (opening batch 2 for
 * the requeuer), then spends the budget and cancels batch 3 with the reason. A process of the
 * in-process executor never adopts a run it did not start. Sessions end here as a worker would
 * end them (RunStore), since no executor runs behind these coordinators.
 */
const silent = createLogger({ level: 'silent' });

async function until(check: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe.each([
  { name: 'sqlite', backend: (): TestBackend => sqliteBackend() },
  { name: 'postgres', backend: (): TestBackend => postgresBackend() },
])('a rolling run whose server went away ($name)', ({ backend: make }) => {
  const cleanups: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
  });

  it('is moved on by another server from the database, and stopped by the budget', async () => {
    const backend = make();
    const project: OpenedProject = await backend.open([]);
    cleanups.push(
      () => backend.cleanup(),
      () => project.close(),
    );
    const hosts = [];
    for (let i = 1; i <= 6; i++) hosts.push(await project.hosts.add({ name: `h${i}` }));
    const runs = new RunStore(project.database);
    const { runId, recordIds } = await runs.createRun({
      session: 'Roll',
      verboseName: 'Roll',
      model: 'Host',
      userId: null,
      data: {},
      records: hosts.map((host) => ({
        objectId: host.id,
        objectLabel: host.name,
        hostId: host.id,
        hostName: host.name,
      })),
    });
    const plan: RollablePlan = {
      runId,
      batches: hosts.map((host, i) => ({
        hostId: host.id,
        hostName: host.name,
        jobs: [{ recordId: recordIds[i] as number }],
      })),
      rollout: { size: 2, maxFail: 0 },
    };
    const coordinator = (submitted: RollablePlan[], adoptsOrphans: boolean) => {
      const made = new RolloutCoordinator<RollablePlan>({
        database: project.database,
        runs,
        bus: new MemoryEventBus(),
        logger: silent,
        submit: (batch) => submitted.push(batch),
        adoptsOrphans,
        passIntervalMs: 50,
      });
      cleanups.push(() => made.close());
      return made;
    };
    const end = async (index: number, result: 'success' | 'error') => {
      const recordId = recordIds[index] as number;
      expect(await runs.markRunning(recordId)).toBe(true);
      await runs.finish(recordId, 'completed', result, 5);
    };
    const rollout = () =>
      project.database.tables
        .selectFrom('minke_rollouts')
        .select(['current_batch', 'state', 'reason'])
        .where('run_id', '=', runId)
        .executeTakeFirstOrThrow();

    const first: RollablePlan[] = [];
    const starter = coordinator(first, true);
    starter.start({ ...plan, rollout: { size: 2, maxFail: 0 } });
    await until(() => Promise.resolve(first.length === 1), 'batch 1 handed over');
    expect(first[0]?.batches.map((b) => b.hostName)).toEqual(['h1', 'h2']);
    await starter.close(); // the server is gone, and its plan with it

    // What the requeuer of a BullMQ process would queue again: only opened batches. (The queue
    // here only records what it is given; the requeuer's query runs on the real database.)
    const requeued = async () => {
      const added: string[] = [];
      const queue = {
        whenAvailable: () => Promise.resolve(),
        addBulk: (jobs: { data: { hostName: string } }[]) => {
          added.push(...jobs.map((job) => job.data.hostName));
          return Promise.resolve();
        },
      } as unknown as BatchQueue;
      await new Requeuer({
        database: project.database,
        queue,
        logger: silent,
        minAgeMs: -60_000,
      }).requeue();
      return added.sort();
    };
    expect(await requeued()).toEqual(['h1', 'h2']);

    const elsewhere: RollablePlan[] = [];
    const inProcess: RollablePlan[] = [];
    coordinator(inProcess, false);
    coordinator(elsewhere, true);
    await end(0, 'success');
    await end(1, 'success');
    await until(async () => (await rollout()).current_batch === 2, 'batch 2 opened');
    // Opened in the database only: the requeuer of a BullMQ process queues it from there.
    expect(elsewhere).toEqual([]);
    expect(inProcess).toEqual([]);
    expect(await requeued()).toEqual(['h3', 'h4']);

    await end(2, 'error');
    await end(3, 'success');
    await until(async () => (await rollout()).state === 'budget-exceeded', 'the budget spent');
    expect((await rollout()).reason).toBe(
      'failure budget exceeded after 4 of 6: 1 failed, 0 allowed',
    );
    await until(
      async () =>
        (
          await project.database.tables
            .selectFrom('minke_runs')
            .select('state')
            .where('id', '=', runId)
            .executeTakeFirstOrThrow()
        ).state === 'finished',
      'the run finished',
    );
    const last = await project.database.tables
      .selectFrom('minke_session_records as r')
      .leftJoin('minke_messages as m', 'm.session_record_id', 'r.id')
      .select(['r.host_name', 'r.process_state', 'm.text'])
      .where('r.run_id', '=', runId)
      .where('r.host_name', 'in', ['h5', 'h6'])
      .orderBy('r.id')
      .execute();
    expect(last).toEqual([
      {
        host_name: 'h5',
        process_state: 'canceled',
        text: 'failure budget exceeded after 4 of 6: 1 failed, 0 allowed',
      },
      {
        host_name: 'h6',
        process_state: 'canceled',
        text: 'failure budget exceeded after 4 of 6: 1 failed, 0 allowed',
      },
    ]);
  });
});
