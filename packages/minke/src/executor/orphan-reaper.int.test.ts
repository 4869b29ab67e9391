import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { backendFactories } from '../../test-support/databases.js';
import { MemoryEventBus } from '../events/memory-event-bus.js';
import { silentLogger } from '../logger.js';
import type { OpenedProject } from '../runtime/open-project.js';
import { RunStore } from '../runs/run-store.js';
import { ExecutorOwners } from './executor-owners.js';
import { OrphanReaper } from './orphan-reaper.js';

/** A run of two sessions on one host, the first running, taken by `owner`. */
async function runOf(project: OpenedProject, owner: string) {
  const runs = new RunStore(project.database);
  const host = await project.hosts.add({ name: `h-${owner}`, config: { transport: 'local' } });
  const records = [1, 2].map(() => ({
    objectId: host.id,
    objectLabel: host.name,
    hostId: host.id,
    hostName: host.name,
  }));
  const { runId, recordIds } = await runs.createRun({
    session: 'S',
    verboseName: 'S',
    model: 'Host',
    userId: null,
    data: {},
    records,
  });
  await runs.markRunning(recordIds[0] as number);
  await runs.takeRun(runId, owner);
  return { runs, runId, recordIds };
}

const tmp = mkdtempSync(join(tmpdir(), 'minke-orphans-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe.each(backendFactories(() => tmp))(
  'ending the runs of a gone process ($name)',
  ({ make }) => {
    const backend = make();
    let project: OpenedProject | undefined;
    afterEach(async () => {
      await project?.close();
      await backend.cleanup();
    });

    it('ends the run of an owner whose row expired on another machine, and leaves a live one alone', async () => {
      project = await backend.open([]);
      const { database } = project;
      const expired = database.adapter.encodeDate(new Date(Date.now() - 1000));
      const later = database.adapter.encodeDate(new Date(Date.now() + 60_000));
      await database.db
        .insertInto('minke_executor_owners')
        .values([
          { owner: 'gone', machine: 'elsewhere', pid: 1, expires_at: expired },
          { owner: 'alive', machine: 'elsewhere', pid: 1, expires_at: later },
        ])
        .execute();
      const gone = await runOf(project, 'gone');
      const alive = await runOf(project, 'alive');
      const bus = new MemoryEventBus();
      const reaper = new OrphanReaper({
        database,
        owners: new ExecutorOwners(database, 60_000),
        runs: gone.runs,
        bus,
        logger: silentLogger,
      });
      expect((await reaper.reap()).sort()).toEqual([...gone.recordIds].sort());

      const states = async (recordIds: number[]) =>
        Promise.all(recordIds.map(async (id) => (await gone.runs.state(id))?.processState));
      expect(await states(gone.recordIds)).toEqual(['failed', 'canceled']);
      expect(await states(alive.recordIds)).toEqual(['running', 'initialized']);
      const finished = bus.since(0, { runId: gone.runId });
      expect(finished.map((e) => e.type)).toContain('run.finished');
      const message = finished.find((e) => e.type === 'message.added');
      expect(message).toMatchObject({
        text: expect.stringMatching(
          /^worker lost: the process that ran it \(pid 1 on elsewhere\) stopped answering at /,
        ) as unknown,
      });
      // The gone owner's row is forgotten once its runs have ended; the live one stays.
      const owners = await database.db
        .selectFrom('minke_executor_owners')
        .select('owner')
        .execute();
      expect(owners.map((o) => String(o.owner))).toEqual(['alive']);
    });
  },
);
